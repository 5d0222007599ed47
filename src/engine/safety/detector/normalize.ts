/**
 * One canonical form for every rule: NFKC (full-width letters, digits and
 * punctuation become their usual forms), lower case, straight apostrophes,
 * single spaces, runs of one letter cut to one ("dieeee"), and the traditional
 * characters the Chinese rules use folded to simplified. Lengths may change;
 * nothing downstream maps positions back to the original text.
 */

// Traditional → simplified, only for characters that occur in the Chinese
// rules or their usual context (a full conversion table is not worth its size).
const TRADITIONAL =
  "殺杀樓楼藥药輕轻結结這这個个麼么們们來来後后離离開开裡里覺觉對对會会說说沒没無无絕绝遺遗書书準准備备買买繩绳燒烧勁劲義义撐撑終终還还點点嗎吗與与邊边頂顶臺台橋桥現现時时傷伤殘残攢攒將将東东難难過过氣气車车應应該该給给發发張张醫医從从讓让見见話话聽听愛爱錯错暈晕塊块錢钱認认為为療疗煩烦腦脑憂忧鬱郁壓压著着樂乐麗丽歡欢極极";

const folding = new Map<string, string>();
for (let i = 0; i + 1 < TRADITIONAL.length; i += 2) folding.set(TRADITIONAL[i]!, TRADITIONAL[i + 1]!);

const APOSTROPHES = /[\u2018\u2019\u02bc\u0060\u00b4]/gu;
const SPACES = /\s+/gu;
const REPEATS = /([a-z])\1{2,}/gu;
const HAN = /[\u3400-\u9fff]/u;
const FOLDABLE = /[\u3400-\u9fff]/gu;

export function normalize(text: string): string {
  let s = text.normalize("NFKC").toLowerCase().replace(APOSTROPHES, "'").replace(SPACES, " ").replace(REPEATS, "$1");
  if (HAN.test(s)) s = s.replace(FOLDABLE, (c) => folding.get(c) ?? c);
  return s;
}
