/**
 * The built-in crisis protocol (zh-CN) as YAML text. A TypeScript module, not
 * a .yaml file: the CLI and the benchmarks run the engine under tsx, which
 * cannot import .yaml (only wrangler and the node tests read .yaml as text).
 */
export default `# 内置危机干预流程（中文）。来访者的话里出现风险时，引擎暂停脚本、运行这个流程
# （crisis/protocol.ts）；项目可以用自己的 crisis 文件（同样的脚本语言）替换它。
#
# 引擎提供（只读）：crisis_level（low | high | imminent，目前为止最高的风险）、
# crisis_repeat（第一次运行为 false，流程重新开始时为 true）、crisis_resources
# （配置的心理援助热线，每行一条）、emergency_resources（急救电话）。
# 内容里用到 {crisis_resources} 或 {emergency_resources} 的那句话按原文显示，
# 模型不改写。
# 引擎读取：流程走到结尾时的 current_risk（none | low | high | imminent）。
# 只有 none、且来访者的话里没有风险时才回到脚本；imminent 时一直留在流程里。
session:
  session_id: crisis_protocol_zh_CN
  session_name: 危机干预
  language: zh-CN
  version: "1"
  phases:
    - phase_id: crisis
      phase_name: 危机支持
      topics:
        - topic_id: safety
          topic_name: 安全第一
          topic_goal: 关切、不评判地回应，让来访者知道现在就能找到人倾诉，并直接询问他的安全。
          strategy: 保持平静、温暖、直接。不争论、不说教、不评判、不转移话题。直接询问自杀念头不会让人产生这个念头。
          actions:
            - action_type: ai_say
              action_id: acknowledge
              condition: "!crisis_repeat"
              config:
                content: 谢谢你愿意告诉我。听起来你现在正承受着很大的痛苦，你能说出来，我很珍惜。你不是一个人在面对，在这里不会有任何评判。
                tone: 平静、温暖、直接
                wait_for_reply: false
            - action_type: ai_say
              action_id: stay_with
              condition: crisis_repeat
              config:
                content: 我还在这里陪着你。你正在经历的很重要，现在最重要的是你的安全。
                tone: 平静、温暖、直接
                wait_for_reply: false
            - action_type: ai_say
              action_id: resources
              condition: crisis_level != "imminent"
              config:
                content: |-
                  现在就可以和受过专业训练的人聊一聊：

                  {crisis_resources}

                  如果你想和一位真人咨询师谈谈，这些热线可以帮你联系上。如果你现在有生命危险，请拨打 {emergency_resources}。
                wait_for_reply: false
            - action_type: ai_say
              action_id: resources_now
              condition: crisis_level == "imminent"
              config:
                content: |-
                  你的安全最重要。请现在就拨打 {emergency_resources}，或者拨打下面的热线，会有受过训练的人马上和你通话：

                  {crisis_resources}

                  如果可以，请让身边的人陪着你，并远离可能用来伤害自己的东西。
                wait_for_reply: false
            - action_type: ai_ask
              action_id: confirm
              config:
                content: 我想直接问你：你现在有结束自己生命或者伤害自己的想法吗？
                tone: 平静、温暖、直接
                max_rounds: 1
                output:
                  - &current_risk
                    get: current_risk
                    type: enum
                    values: [none, low, high, imminent]
                    define: >-
                      来访者最新的回答显示的当前风险。none：明确表示自己安全，没有结束生命或伤害自己的想法；
                      low：一闪而过的念头，没有打算；high：有自杀或自伤的想法；imminent：有计划、有手段或打算很快行动，
                      或正在行动。不确定时不要答 none。
            # 来访者否认后温和地再问一次：一句"没有"不算结束。
            - action_type: ai_ask
              action_id: follow_up
              condition: current_risk == "none" && crisis_level != "imminent"
              config:
                content: 听到你这么说我放心一些。这些话有时不容易说出口，所以我想再温和地问一次：你现在有没有结束生命或伤害自己的念头，哪怕并不打算去做？如果没有，我们就回到刚才的话题。
                tone: 温和、不急
                max_rounds: 1
                output:
                  - *current_risk # 与 confirm 相同的判断
`;
