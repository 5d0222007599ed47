/**
 * A topic that jumps back to itself (a `set` counting laps, then `next:` to its own start) for as
 * long as a turn lets it: what the jump limit per turn exists for. Written as the YAML of one
 * `topics:` entry at the indentation of the engine and session actor tests' scripts.
 */
export function jumpLoopTopic(topicId: string, actionId: string): string {
  return `        - topic_id: ${topicId}
          actions:
            - action_type: set
              action_id: ${actionId}
              config: { variables: [ { name: laps, expression: "has(vars.laps) ? laps + 1 : 1", type: integer } ] }
          next:
            - if: "laps < 1000"
              then: ${topicId}
`;
}
