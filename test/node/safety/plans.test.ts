/**
 * Plans, preparations and timing that name no act, one rule family at a
 * time, each with the benign phrasings it must leave alone. None of these
 * sentences is in the evaluation corpus: they test the rules, the corpus
 * measures them.
 */
import { describe, expect, it } from "vitest";
import { type CrisisLevel, detectCrisis, levelRank } from "../../../src/engine/safety/detector";

/** A plan graded `level`, or imminent when the message also names a time ("this afternoon", "周末"). */
function expectPlan(text: string, level: Exclude<CrisisLevel, "none" | "low">, recent: string[] = []) {
  const found = detectCrisis(text, { recent });
  expect({ text, atLeast: levelRank(found.level) >= levelRank(level) }).toEqual({ text, atLeast: true });
  expect(found.categories, text).toContain("plan");
}

function expectNone(text: string, recent: string[] = []) {
  expect({ text, level: detectCrisis(text, { recent }).level }).toEqual({ text, level: "none" });
}

describe("a bare decision with a bare time", () => {
  it.each([
    "ok. i've decided. saturday night",
    "i made up my mind. first thing in the morning",
    "decision made, after work then",
    "我下定决心了，周五晚上",
    "好，我想好了。明晚",
  ])("%s is an imminent plan", (text) => expectPlan(text, "imminent"));

  it.each([
    "i've decided to move in with my sister next month",
    "I've decided. Pasta tonight and a film",
    "i've decided, starting the new job on monday",
    "我决定下周去面试",
    "我想好了，明天去报名驾校",
    "决定了，今晚吃火锅",
  ])("%s is not: the decision names what it is, or the time holds an activity", (text) => expectNone(text));
});

describe('"do it" with a time that waits to be alone', () => {
  it.each([
    "i'm going to do it once the house is empty",
    "i'll do it when nobody's home",
    "waiting until my parents go to bed, then i'll do it",
    "趁家里没人的时候我就下手",
    "等爸妈都睡下了我就行动",
  ])("%s is an imminent plan", (text) => expectPlan(text, "imminent"));

  it.each([
    "i'll do it tonight",
    "i'll do the ironing when everyone's asleep",
    "the laundry? i'll do it when they're out",
    "i am not going to do it when everyone's asleep, i promise",
    "等孩子们睡着了我就动手收拾屋子",
    "等他们都出门了我就动手打扫",
    "他俩吵着吵着就动手了",
  ])("%s is not: no secret timing, a task named, or negated", (text) => expectNone(text));

  it("a task named in the turn before is what the pronoun refers to", () => {
    expectNone("i'll do it once everyone's in bed", ["my tax return is due on friday"]);
    expectPlan("i'll do it once everyone's in bed", "imminent", ["we went to the park today"]);
  });
});

describe('"tonight is the night" and endings with a time', () => {
  it.each(["tonight's the night. i give up", "today is the day. nothing is ever going to change"])("%s beside distress is an imminent plan", (text) =>
    expectPlan(text, "imminent"),
  );
  it.each(["after the exam tomorrow that's it for me", "明天考完试一切就结束了", "今晚是最后一晚"])(
    "%s, an ending with a time, is an imminent plan",
    (text) => expectPlan(text, "imminent"),
  );
  it.each([
    "tonight is the night we find out who won",
    "tonight's the night!!",
    "that's it for me tonight, see you tomorrow",
    "暑假很快就结束了",
    "今晚就是那一晚，我们要给她惊喜",
  ])("%s is not", (text) => expectNone(text));
});

describe("means acquired and preparations done", () => {
  it.each([
    ["got charcoal and sealed the bedroom door", "imminent"],
    ["taped up the vents. the charcoal is in the car", "high"],
    ["窗缝都用胶带贴上了，炭在床底下", "imminent"],
    ["picked up some more sleeping pills so i'll have enough", "high"],
    ["又多开了几盒药片，现在终于攒够了", "high"],
    ["the noose is under my bed", "high"],
    ["绳子已经藏在衣柜里了", "high"],
  ] as const)("%s", (text, level) => expectPlan(text, level));

  it.each([
    "bought a bag of charcoal for the grill",
    "we sealed the windows before winter, the heating bill was huge",
    "got charcoal for my art class",
    "买了一袋炭，周末去露营烤肉",
    "绳子在阳台上晾衣服用",
    "bought some paracetamol for the flu",
  ])("%s is not", (text) => expectNone(text));
});

describe("goodbyes, things given away, notes", () => {
  it.each([
    ["i said my goodbyes to my friends this afternoon", "high"],
    ["sent goodbye to everyone on the group chat", "high"],
    ["gave my dog to my neighbour. i won't be needing the lead anymore", "high"],
    ["left notes for my brother to find", "high"],
    ["我已经跟家人一一道别了", "high"],
    ["把吉他送给表弟了，纸条也写好了", "high"],
  ] as const)("%s", (text, level) => expectPlan(text, level));

  it.each([
    "said goodbye to my friends at the station",
    "giving away my old clothes because they don't fit",
    "wrote a note for the cleaner",
    "在车站跟朋友道别",
    "把旧衣服都送人了，衣柜终于空了",
  ])("%s is not", (text) => expectNone(text));
});

describe("two signs of one plan in a message", () => {
  it.each([
    "if i'm not around next week, please forgive me",
    "cancelled all my appointments. won't be here anyway.",
    "如果以后我不在了，不要怪自己",
    "周末的聚会都取消了，反正到时候我也不在了",
  ])("%s is a plan", (text) => expectPlan(text, "high"));

  it.each(["it's not your fault the bus was late", "cancelled everything because of the snow", "不是你的错，是系统出了问题"])(
    "%s alone is not",
    (text) => expectNone(text),
  );
});

describe("researching a place, a staged accident", () => {
  it.each([
    "been checking which car parks don't have barriers on the top floor",
    "there's a place by the quarry where nobody would find me",
    "i'd make it look like an accident",
    "我在找一栋天台没装护栏的楼",
    "想弄成一场意外",
    "i've worked out which spot on the viaduct",
    "been practicing tying a noose",
    "想好了从天台哪个位置跳",
    "最近在学怎么打活结",
  ])("%s is a plan", (text) => expectPlan(text, "high"));

  it.each([
    "the new bridge doesn't have railings yet, the council is slow",
    "the insurance paid for the accident",
    "我家阳台没装护栏，想找师傅来装",
    "i know which exit to take for the ring road",
    "practising tying knots for the scout badge",
    "在站台边上等朋友",
  ])("%s is not", (text) => expectNone(text));
});

describe("a life wound up: things arranged, farewells, a when", () => {
  it.each([
    ["it's all arranged. the rabbit goes to my cousin", "high"],
    ["sorry for everything. bye", "high"],
    ["i closed my bank account and deleted all my accounts, i'm not coming back", "high"],
    ["picked a day. the 3rd", "high"],
    ["after my exams next week, that's when", "imminent"],
    ["i won't be a burden to anyone after sunday", "imminent"],
    ["everything's ready, and if it goes to plan i won't wake up in the morning", "high"],
    ["一切都搞定了，狗交给邻居了", "high"],
    ["对不起所有人。再见", "high"],
    ["账号都注销了，密码告诉我妈了", "high"],
    ["下周三以后就不会再给家里添麻烦了", "imminent"],
  ] as const)("%s", (text, level) => expectPlan(text, level));

  it.each([
    "it's all arranged, the caterers come at six",
    "sorry for everything i broke at the party",
    "deleted all my accounts, i'm much calmer now",
    "picked a day for the picnic, the 3rd",
    "一切都搞定了，周末去看展",
    "对不起大家，我迟到了",
    "今天搬家，再见了老房子",
  ])("%s is not", (text) => expectNone(text));

  it("reads the when and the distress of a turn before", () => {
    expectPlan("tonight or never", "imminent", ["i don't care what happens to me anymore"]);
    expectNone("tonight or never", ["the concert tickets are almost gone"]);
    expectPlan("i'll go through with it after the wedding", "high", ["it won't ever get better"]);
    expectNone("i'll go through with it after the wedding", ["we're thinking about moving"]);
  });
});

describe("means and acts in other words", () => {
  it.each([
    ["worked out how many of my sleeping pills it would take", "high"],
    ["the hose goes from the exhaust through the window", "imminent"],
    ["took all the pills from the first aid box", "imminent"],
    ["i just want to end the pain forever", "high"],
    ["they'd be relieved if i disappeared", "low"],
    ["查过吃多少安眠药才会死", "high"],
    ["软管已经接到排气管了", "imminent"],
    ["把抽屉里的药都吞了", "imminent"],
    ["我要是消失了他们会松口气", "low"],
    ["明天我就不会醒来了", "imminent"],
  ] as const)("%s", (text, level) => {
    const found = detectCrisis(text);
    expect({ text, atLeast: levelRank(found.level) >= levelRank(level) }).toEqual({ text, atLeast: true });
  });

  it.each(["worked out how many tablets to take a day with the doctor", "the hose is tangled again", "明天早上不会醒得太早"])("%s is not", (text) =>
    expectNone(text),
  );
});
