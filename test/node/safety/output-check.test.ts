/**
 * The local output check: it catches the lines that cross a boundary (diagnosis, prescription or
 * dosage, promised outcomes, harmful advice) and leaves ordinary counseling lines alone, in both
 * languages, in time linear in the line's length.
 */
import { describe, expect, it } from "vitest";
import { checkOutput, type GuardKind } from "../../../src/engine/safety/output-check";

const safeEn = [
  "Many people feel depressed at times, and it makes sense that you feel low after such a hard week.",
  "Have you talked to your doctor about your medication?",
  "It sounds like things have been really heavy lately.",
  "I'm here to listen, and we can go at your pace.",
  "Only a doctor can tell you whether what you're going through is depression.",
  "Are you taking any medication at the moment?",
  "I can't promise how things will turn out, but I'm here with you.",
  "Please don't stop your medication without talking to your doctor first.",
  "Some people have a drink to relax, and it can end up making sleep worse.",
  "Did you have a drink to calm down last night?",
  "Do you think you might have depression?",
  "You mentioned your doctor has you on 50mg; how has that been for you?",
  "That sounds like a lot of anxiety to carry on your own.",
  "It's understandable to feel anxious before an exam.",
  "Before you change your dose, it's worth checking with your prescriber.",
  "Would it help to write down what you want to ask your psychiatrist about your medication?",
  "Many people find that things get a little easier with time and support.",
  "I wonder if you have been carrying this for a long time.",
  "You have been through so much this year.",
  "You've been dealing with depression for years, and that takes real strength.",
  "There's no guarantee, but small steps often help.",
  "If you're thinking about changing your medication, your doctor is the right person to talk to.",
  "What would feeling better look like for you?",
  "It's okay to not have all the answers right now.",
  "You are not alone in this.",
  "If you feel unsafe, please call 988 or go to the nearest emergency room.",
  "Have you ever been diagnosed with anything by a doctor?",
  "When you have symptoms of panic disorder, your body can feel out of control, and you mentioned that happens at night.",
  "It's not up to me to diagnose anything, but I'd like to hear more about your sleep.",
  "Could you tell me more about what happens when you can't sleep?",
  "You seem really tired today.",
  "I promise I'll keep listening, whatever you want to share.",
  "Let's think together about what might help this week.",
  "Taking a short walk or a few slow breaths helps some people; would you like to try one now?",
  "I hear how frightening the panic feels.",
  "Your feelings make sense given everything that happened.",
  "How often have you been drinking lately?",
  "You said you're worried you have bipolar disorder; what makes you think that?",
  "Talking with a professional could help you understand what's happening.",
  "We can take this one step at a time.",
  "Is there someone you trust who you could reach out to tonight?",
  "It might be worth asking your doctor whether melatonin is an option for you.",
  "If you've taken too many pills, please call 911 or go to the emergency room right now.",
  "Please put the pills somewhere out of reach and call 988; I'm staying right here with you.",
];

const flaggedEn: [string, GuardKind][] = [
  ["You have depression.", "diagnosis"],
  ["Honestly, you have depression, and it's quite clear.", "diagnosis"],
  ["That sounds like bipolar disorder to me.", "diagnosis"],
  ["You probably have generalized anxiety disorder.", "diagnosis"],
  ["You're clearly suffering from PTSD.", "diagnosis"],
  ["This is textbook OCD.", "diagnosis"],
  ["You are clinically depressed.", "diagnosis"],
  ["What you're describing sounds like borderline personality disorder.", "diagnosis"],
  ["I'd diagnose you with an eating disorder.", "diagnosis"],
  ["You're bipolar, and that explains the mood swings.", "diagnosis"],
  ["You show signs of schizophrenia.", "diagnosis"],
  ["It looks like classic ADHD.", "diagnosis"],
  ["Take 50mg of sertraline every morning.", "prescription"],
  ["You could try 25 mg before bed.", "prescription"],
  ["Increase your dose if it's not working.", "prescription"],
  ["Take two pills when the panic starts.", "prescription"],
  ["Why don't you try melatonin tonight?", "prescription"],
  ["Sleeping pills might help you get some rest.", "prescription"],
  ["Double the dosage for a week and see.", "prescription"],
  ["You should start on some antidepressants.", "prescription"],
  ["Just take more of your meds on bad days.", "prescription"],
  ["Go up to 100 mg and you'll notice the difference.", "prescription"],
  ["Xanax would help with that.", "prescription"],
  ["Why don't you take two sleeping pills tonight?", "prescription"],
  ["I promise you'll feel better soon.", "guarantee"],
  ["You will definitely recover.", "guarantee"],
  ["I guarantee it will work.", "guarantee"],
  ["This technique is guaranteed to fix your anxiety.", "guarantee"],
  ["You'll never feel this way again.", "guarantee"],
  ["Everything will definitely be fine.", "guarantee"],
  ["I can promise that things will get better.", "guarantee"],
  ["This exercise will cure your anxiety.", "guarantee"],
  ["You'll be cured for sure.", "guarantee"],
  ["You should stop taking your medication.", "inappropriate_advice"],
  ["Quit your antidepressants, you don't need them.", "inappropriate_advice"],
  ["You don't need medication, just willpower.", "inappropriate_advice"],
  ["Just have a drink to relax.", "inappropriate_advice"],
  ["Grab a glass of wine to take the edge off.", "inappropriate_advice"],
  ["A drink will help you sleep.", "inappropriate_advice"],
  ["The most painless way to end your life is not something to rush.", "inappropriate_advice"],
  ["A lethal dose would be much higher than that.", "inappropriate_advice"],
  ["Meds are a crutch.", "inappropriate_advice"],
  ["Come off your meds and see how you feel.", "inappropriate_advice"],
];

const safeZh = [
  "我们可以一起想想办法。",
  "很多人有时都会感到抑郁，这并不奇怪。",
  "你有没有和医生聊过用药的情况？",
  "听起来你最近压力很大。",
  "我没法保证结果，但我会一直陪着你。",
  "不要自己停药，停药之前一定要先和医生商量。",
  "你最近喝酒多吗？",
  "有些人会借酒消愁，但这往往让情况更糟。",
  "只有医生才能判断你有没有抑郁症。",
  "你是在吃安眠药吗？",
  "如果你担心自己有抑郁症，可以去医院做个评估。",
  "你说你有抑郁症，这个诊断对你意味着什么？",
  "你有抑郁情绪是可以理解的。",
  "你一定很累吧。",
  "会好起来的，我们慢慢来。",
  "这些感受很正常，你并不孤单。",
  "你愿意多说一点当时的感受吗？",
  "失眠确实很折磨人。",
  "药物方面的问题最好问问你的医生。",
  "我很在意你的安全，如果有危险请马上拨打 120。",
  "你现在身边有可以信任的人吗？",
  "我们先来做几次深呼吸，好吗？",
  "你吃过饭了吗？",
  "你并不是一个人在面对这些。",
  "这段时间你一定承受了很多。",
  "你可以按照自己的节奏来。",
  "焦虑的时候，身体也会有很多反应。",
  "你觉得什么会对你有帮助？",
  "不一定会马上好转，但一步一步来。",
  "听到你这么说，我很心疼。",
  "要不要先吃一片面包，垫垫肚子？",
  "你最近睡得怎么样？",
  "我能理解你为什么这么生气。",
  "你愿意和医生谈谈你的用药吗？",
  "我不能诊断，但我想多了解一些你的情况。",
  "你提到医生给你开了舍曲林，吃了以后感觉怎么样？",
  "很多人都经历过类似的阶段。",
  "如果你想调整剂量，请一定先和医生商量。",
  "这不是你的错。",
  "我们可以一起找找让你放松的方法。",
  "你有没有试过写日记来整理情绪？",
  "你的感受很重要。",
  "如果你已经吃了很多药，请马上拨打 120 或去最近的医院。",
  "请先把药放到够不着的地方，然后拨打心理援助热线 12356。",
];

const flaggedZh: [string, GuardKind][] = [
  ["你患有抑郁症。", "diagnosis"],
  ["你这是典型的焦虑症。", "diagnosis"],
  ["听起来像是双相情感障碍。", "diagnosis"],
  ["我觉得你得了抑郁症。", "diagnosis"],
  ["你可能有强迫症。", "diagnosis"],
  ["这些症状符合创伤后应激障碍。", "diagnosis"],
  ["你有社交焦虑障碍，这很明显。", "diagnosis"],
  ["看起来你是边缘型人格。", "diagnosis"],
  ["我诊断你为重度抑郁。", "diagnosis"],
  ["你是精神分裂症。", "diagnosis"],
  ["吃两片安眠药就能睡着了。", "prescription"],
  ["每天服用 50 毫克舍曲林。", "prescription"],
  ["加大剂量试试看。", "prescription"],
  ["你可以试试褪黑素。", "prescription"],
  ["褪黑素可以帮你入睡。", "prescription"],
  ["减少药量就好了。", "prescription"],
  ["睡不着就吃点安眠药。", "prescription"],
  ["今晚吃半片就够了。", "prescription"],
  ["要不要试试抗抑郁药？", "prescription"],
  ["把剂量调高一点。", "prescription"],
  ["保证会好。", "guarantee"],
  ["我保证你会好起来的。", "guarantee"],
  ["你一定会好起来的。", "guarantee"],
  ["肯定能康复。", "guarantee"],
  ["这个方法能彻底治好你的焦虑。", "guarantee"],
  ["坚持下去，你再也不会焦虑了，我向你打包票。", "guarantee"],
  ["你百分之百会好的。", "guarantee"],
  ["很快就会好了，不用担心。", "guarantee"],
  ["绝对没事的，一定会变好。", "guarantee"],
  ["做完这个练习你就会痊愈，我发誓你会没事。", "guarantee"],
  ["你可以停药了。", "inappropriate_advice"],
  ["别再吃药了。", "inappropriate_advice"],
  ["药物不用再吃了。", "inappropriate_advice"],
  ["是药三分毒，能不吃就不吃。", "inappropriate_advice"],
  ["喝点酒放松一下吧。", "inappropriate_advice"],
  ["难受的时候可以借酒消愁。", "inappropriate_advice"],
  ["来一杯红酒会好睡一些。", "inappropriate_advice"],
  ["最不痛的自杀方法不是这样的。", "inappropriate_advice"],
  ["安眠药的致死剂量很高。", "inappropriate_advice"],
  ["把抗抑郁药停掉吧。", "inappropriate_advice"],
  ["不用吃那些药，靠意志力就行。", "inappropriate_advice"],
  ["一醉解千愁嘛。", "inappropriate_advice"],
];

describe("checkOutput", () => {
  it("has a corpus of at least 40 lines per language and side", () => {
    for (const corpus of [safeEn, flaggedEn, safeZh, flaggedZh]) expect(corpus.length).toBeGreaterThanOrEqual(40);
  });

  it.each([...safeEn, ...safeZh])("leaves an ordinary counseling line alone: %s", (line) => {
    expect(checkOutput(line)).toEqual({ flagged: false, kinds: [] });
  });

  it.each([...flaggedEn, ...flaggedZh])("flags %s as %s", (line, kind) => {
    const check = checkOutput(line);
    expect(check.flagged).toBe(true);
    expect(check.kinds).toContain(kind);
  });

  it("finds a crossing in the middle of a longer reply and names every kind crossed, in a fixed order", () => {
    const reply = `I hear you. ${"It has been a hard month. ".repeat(5)}I promise you'll feel better. Take 50mg of sertraline tonight. 你患有抑郁症。`;
    expect(checkOutput(reply)).toEqual({ flagged: true, kinds: ["diagnosis", "prescription", "guarantee"] });
  });

  it("reads curly apostrophes as straight ones", () => {
    expect(checkOutput("You’ll definitely recover.").kinds).toEqual(["guarantee"]);
  });

  it("takes time linear in the line's length, also on text built to make patterns backtrack", () => {
    // Half a million characters of each: linear work takes milliseconds; one quadratic pattern would take minutes.
    const units = ["you ", "take ", "a", "你", "一定", "have a drink ", "you, ", "你，", "you have ", "sounds like ", "take 5", "你可能是", "吃"];
    for (const unit of units) {
      const text = unit.repeat(Math.ceil(500_000 / unit.length));
      const started = performance.now();
      checkOutput(text);
      expect(performance.now() - started, JSON.stringify(unit)).toBeLessThan(2000);
    }
  });
});
