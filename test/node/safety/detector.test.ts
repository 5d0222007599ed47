import { describe, expect, it } from "vitest";
import { mentionsCrisis } from "../../../src/engine/runtime/safety";
import { type CrisisCategory, type CrisisLevel, crisisDetectionSchema, detectCrisis } from "../../../src/engine/safety/detector";

type Case = [text: string, level: CrisisLevel, category: CrisisCategory];

function expectGrade([text, level, category]: Case) {
  const found = detectCrisis(text);
  expect(found.level, text).toBe(level);
  expect(found.categories, text).toContain(category);
}

function expectNone(text: string) {
  expect(detectCrisis(text), text).toEqual({ level: "none", categories: [], thirdParty: false });
}

describe("the seven phrasings the keyword scan missed", () => {
  it.each<Case>([
    ["I took a lot of pills last night", "imminent", "method"],
    ["I'm going to jump off a bridge", "high", "method"],
    ["Everyone would be better off without me", "low", "indirect"],
    ["I've been thinking of ending it", "high", "indirect"],
    ["活着没意思", "low", "indirect"],
    ["我想消失", "low", "indirect"],
    ["我吞了很多药", "imminent", "method"],
  ])("%s", (...c) => {
    expectGrade(c);
    expect(mentionsCrisis(c[0])).toBe(true);
  });
});

describe("English categories", () => {
  it.each<Case>([
    ["honestly i want to die", "high", "direct"],
    ["feeling pretty suicidal", "high", "direct"],
    ["i keep wanting to kill my self", "high", "direct"],
    ["I just want it all to end", "low", "indirect"],
    ["i'm such a burden to my family", "low", "indirect"],
    ["what is even the point... no point in living", "low", "indirect"],
    ["sometimes i wish i could just vanish", "low", "indirect"],
    ["i think about slitting my wrists", "high", "method"],
    ["might hang myself", "high", "method"],
    ["im going to step in front of a train", "high", "method"],
    ["tried to kill myself when i was 19", "high", "past_attempt"],
    ["i've already written goodbye letters to my family", "high", "plan"],
    ["what is the lethal dose of tylenol", "high", "plan"],
    ["i'm going to kill myself on friday", "imminent", "plan"],
    ["the rope is set up", "imminent", "plan"],
    ["i swallowed 30 tablets an hour ago", "imminent", "method"],
    ["took like 40 of my meds", "imminent", "method"],
    ["i might as well be dead", "high", "direct"],
    ["i hate being alive", "low", "indirect"],
    ["i relapsed and cut again", "high", "method"],
    ["this is the last message i will send", "high", "plan"],
    ["i wanna dye", "high", "direct"],
    ["idk why im typing this but i dont wanna be here anymore", "low", "indirect"],
    ["thinking of swallowing the whole bottle", "high", "method"],
    ["i'm going to do it tonight, i have the pills", "imminent", "plan"],
  ])("%s", (...c) => expectGrade(c));

  it("grades an attempt within the last day as imminent", () => {
    expect(detectCrisis("i tried to hang myself last night")).toMatchObject({ level: "imminent", categories: ["method", "past_attempt"] });
    expect(detectCrisis("我昨天自杀未遂").level).toBe("imminent");
  });

  it("places an act in the past as a past attempt, not an emergency", () => {
    expect(detectCrisis("i took a bunch of pills years ago and woke up in hospital")).toMatchObject({
      level: "high",
      categories: ["method", "past_attempt"],
    });
  });
});

describe("Chinese categories", () => {
  it.each<Case>([
    ["我真的好想死", "high", "direct"],
    ["脑子里全是自杀的念头", "high", "direct"],
    ["一了百了算了", "high", "direct"],
    ["活着真的好累", "low", "indirect"],
    ["没有我大家都会更轻松", "low", "indirect"],
    ["我就是个累赘", "low", "indirect"],
    ["想从楼顶跳下去", "high", "method"],
    ["又割腕了", "high", "method"],
    ["我以前试过烧炭", "high", "past_attempt"],
    ["遗书已经写了", "high", "plan"],
    ["明天晚上我就跳河", "imminent", "plan"],
    ["刀就在我手边", "imminent", "plan"],
    ["刚才喝了农药", "imminent", "method"],
    ["活着真累", "low", "indirect"],
    ["我在想怎么死", "high", "plan"],
    ["让我死吧", "high", "direct"],
    ["手腕上都是血", "imminent", "method"],
  ])("%s", (...c) => expectGrade(c));
});

describe("third parties", () => {
  it.each<[string, CrisisLevel]>([
    ["my cousin told me he wants to kill himself", "high"],
    ["my mom says she wishes she were dead", "high"],
    ["my flatmate just took a whole bottle of pills", "imminent"],
    ["我同事说他不想活了", "high"],
    ["我妹妹刚吞了一整瓶安眠药", "imminent"],
    ["my friend is on the roof threatening to jump", "imminent"],
    ["我室友说想跳楼 现在人不见了", "imminent"],
  ])("%s", (text, level) => {
    const found = detectCrisis(text);
    expect(found).toMatchObject({ level, thirdParty: true });
    expect(found.categories).toContain("third_party");
  });

  it("keeps the speaker's own disclosure apart from someone they mention", () => {
    expect(detectCrisis("i told my mom i want to die")).toMatchObject({ level: "high", thirdParty: false });
    expect(detectCrisis("我跟我妈说我想死")).toMatchObject({ level: "high", thirdParty: false });
  });
});

describe("negation", () => {
  it.each([
    "I'm not suicidal",
    "i'm not going to kill myself",
    "I would never hurt myself",
    "i don't want to die",
    "I have no plans to end my life",
    "我没有想自杀",
    "我不想死",
    "我从来没想过伤害自己",
    "我不会自杀的",
  ])("%s is no crisis", expectNone);

  it("does not take doubt about living for a negation", () => {
    expect(detectCrisis("I'm not sure I want to live").level).toBe("low");
    expect(detectCrisis("i'm not suicidal but i want to die").level).toBe("high");
    expect(detectCrisis("I no longer want to live").level).toBe("high");
    expect(detectCrisis("不知道自己还想不想活").level).toBe("low");
    expect(detectCrisis("there is no way out except dying").level).toBe("high");
  });

  it("reads A-not-A questions (是不是, 会不会) as questions, and 是不会 as a negation", () => {
    expect(detectCrisis("我是不是死了比较好").level).toBe("high");
    expect(detectCrisis("我会不会死掉算了").level).toBe("high");
    expect(detectCrisis("我是不会自杀的").level).toBe("none");
  });
});

describe("idioms, figurative speech, media", () => {
  it.each([
    "this deadline is killing me",
    "I'm dying to try that place",
    "im ready to die on this hill lol",
    "we almost died laughing",
    "killing myself at the gym this month",
    "he'd jump off a bridge if his friends told him to",
    "我笑死了",
    "要命的堵车",
    "累死了",
    "气死我了",
    "想死你了",
    "尴尬得想死",
    "跳楼价处理",
    "the news covered a suicide at the station",
    "in the novel she cuts herself, it's hard to read",
    "电影里的主角最后跳楼了",
    "报道说自杀率上升",
    "My doctor asked if I ever thought about suicide",
    "医生问我有没有想过自杀",
    "go kill yourself",
    "I should just die my hair blue",
    "she might as well be dead to me",
    "life is pointless without coffee lol",
    "切菜割了好几刀",
    "让我死了这条心吧",
    "我们在天台吃火锅",
    "i cut myself shaving",
    "i want to dye my hair",
    "i have the pills from the pharmacy",
    "nobody would notice if i left the party early",
    "i'm tired of living with roommates",
    "跳楼机好刺激",
    "烧炭取暖要注意通风",
    "给果树买了农药",
    "你去死吧",
  ])("%s is no crisis", expectNone);

  it("still counts words that name the speaker inside talk about media", () => {
    expect(detectCrisis("that movie made me want to kill myself").level).toBe("high");
  });
});

describe("normalisation", () => {
  it("reads full-width letters and punctuation, repeated letters, curly apostrophes and traditional characters", () => {
    expect(detectCrisis("Ｉ　ｗａｎｔ　ｔｏ　ｄｉｅ！").level).toBe("high");
    expect(detectCrisis("i want to dieeeee").level).toBe("high");
    expect(detectCrisis("I don’t want to live anymore").level).toBe("high");
    expect(detectCrisis("我不想活了！！！").level).toBe("high");
    expect(detectCrisis("我想自殺").level).toBe("high");
    expect(detectCrisis("活著沒意思").level).toBe("low");
  });

  it("reads both languages in one message", () => {
    expect(detectCrisis("今天好累 honestly i want to die").level).toBe("high");
    expect(detectCrisis("i'm fine lol 就是不想活了").level).toBe("high");
  });

  it("finds one disclosure in a long message", () => {
    const long = `${"work was long and the bus was late again, and my sister called about the wedding plans. ".repeat(40)}and i took a lot of pills last night.`;
    expect(detectCrisis(long).level).toBe("imminent");
  });
});

describe("the result", () => {
  it("holds a grade and categories only, never the words", () => {
    const text = "I want to kill myself tonight";
    const found = detectCrisis(text);
    expect(crisisDetectionSchema.parse(found)).toEqual(found);
    expect(Object.keys(found).sort()).toEqual(["categories", "level", "thirdParty"]);
    for (const word of ["kill", "myself", "tonight"]) expect(JSON.stringify(found)).not.toContain(word);
  });

  it("gives the same answer twice (the compiled patterns keep no state between calls)", () => {
    const text = "我想死 我想死 i want to die";
    expect(detectCrisis(text)).toEqual(detectCrisis(text));
  });

  it("scans in linear time, even a long message full of negated matches", () => {
    const time = (s: string) => {
      const start = performance.now();
      detectCrisis(s);
      return performance.now() - start;
    };
    const unit = "i'm not suicidal and ";
    time(unit.repeat(1_000));
    const small = time(unit.repeat(1_000));
    const big = time(unit.repeat(16_000));
    // Linear is about 16 times; a quadratic scan was over 200 times here.
    expect(big).toBeLessThan(small * 50 + 100);
  });
});
