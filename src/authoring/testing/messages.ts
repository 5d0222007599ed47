/** The sentences of a test report, in English and Simplified Chinese (the route answers in the caller's language). */
import type { DiagnosticLang } from "../globals";

const en = {
  notContains: (s: string) => `The AI's lines do not contain ${s}.`,
  contains: (s: string) => `The AI's lines contain ${s}.`,
  badPattern: (why: string) => `Not a valid RE2 regular expression: ${why}`,
  noMatch: (p: string) => `The AI's lines do not match /${p}/.`,
  hasValue: (name: string) => `${name} has a value.`,
  noValue: (name: string) => `${name} has no value.`,
  notType: (name: string, type: string) => `${name} is not of type ${type}.`,
  notValue: (name: string, value: string) => `${name} is not ${value}.`,
  safetyRaised: "The step raised a safety event.",
  noSafetyMatch: "No safety event of this step matches.",
  stepFailed: "The step failed.",
  status: (status: string) => `The session is ${status}.`,
  notError: (code: string) => `The step did not fail with ${code}.`,
  notAt: (key: string, id: string) => `The script is not at ${key} ${id}.`,
  crisisNotRunning: "The crisis protocol is not running.",
  crisisRunning: "The crisis protocol is running.",
  couldNotStart: "The session could not start.",
  ended: "The script had already ended; this client line has no one to answer it.",
  outOfReplies: (n: number) => `The script asked the model more often than the case has replies (${n}); add the replies it needs.`,
  unusedReplies: (n: number) => `${n} of the case's replies were never asked for: the script made fewer model calls than the replies script.`,
  budget: "The run took as many steps as one run may; run fewer test files at a time (`paths`).",
  noScript: (path: string) => `There is no script ${path}.`,
  technique: (path: string) => `${path} is a technique script: tests run session scripts.`,
  noScheme: (path: string, scheme: string) => `${path} uses the template scheme "${scheme}", which the project does not have.`,
  notCrisis: (path: string, why: string) => `${path} is not a crisis protocol: ${why}`,
  fileErrors: (path: string, n: number, line: number, message: string) => `${path} has ${n} error(s); the first, line ${line}: ${message}`,
};

const zh: typeof en = {
  notContains: (s) => `AI 的回复里没有 ${s}。`,
  contains: (s) => `AI 的回复里出现了 ${s}。`,
  badPattern: (why) => `不是有效的 RE2 正则表达式：${why}`,
  noMatch: (p) => `AI 的回复不匹配 /${p}/。`,
  hasValue: (name) => `${name} 已经有值。`,
  noValue: (name) => `${name} 没有值。`,
  notType: (name, type) => `${name} 的类型不是 ${type}。`,
  notValue: (name, value) => `${name} 的值不是 ${value}。`,
  safetyRaised: "这一步触发了安全事件。",
  noSafetyMatch: "这一步没有符合的安全事件。",
  stepFailed: "这一步出错了。",
  status: (status) => `会谈的状态是 ${status}。`,
  notError: (code) => `这一步没有以 ${code} 出错。`,
  notAt: (key, id) => `脚本不在 ${key} ${id}。`,
  crisisNotRunning: "危机流程没有在运行。",
  crisisRunning: "危机流程正在运行。",
  couldNotStart: "会谈无法开始。",
  ended: "脚本已经结束，这句来访者的话没有人回应。",
  outOfReplies: (n) => `脚本调用模型的次数多于这个用例给出的回复（${n} 条）；请补上所需的回复。`,
  unusedReplies: (n) => `这个用例有 ${n} 条回复从未被用到：脚本调用模型的次数比回复少。`,
  budget: "这次运行的步数已达上限；请每次少运行一些测试文件（`paths`）。",
  noScript: (path) => `没有脚本 ${path}。`,
  technique: (path) => `${path} 是技术脚本：测试只运行会谈脚本。`,
  noScheme: (path, scheme) => `${path} 使用的模板方案 "${scheme}" 在项目中不存在。`,
  notCrisis: (path, why) => `${path} 不是危机处理流程：${why}`,
  fileErrors: (path, n, line, message) => `${path} 有 ${n} 个错误；第一个在第 ${line} 行：${message}`,
};

export type TestMessages = typeof en;

export const testMessages: Record<DiagnosticLang, TestMessages> = { en, "zh-CN": zh };
