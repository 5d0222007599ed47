/** The bundled technique `reframe_thought` (zh-CN) as YAML text (see reframe-thought-en.ts). */
export default `# 重构想法：和来访者一起看支持和不支持这个想法的证据，再换一种更平衡的说法。
# 在会谈脚本中用 use_skill 运行。
technique:
  technique_id: reframe_thought
  technique_name: 重构想法
  language: zh-CN
  description: 和来访者一起审视一个无益的想法，找到更平衡的说法。
  inputs:
    - name: thought
      description: 要审视的想法，用来访者自己的话。
    - name: situation
      description: 这个想法出现的情境。
      required: false
  outputs:
    - name: evidence_for
      description: 来访者认为支持这个想法的理由。
    - name: evidence_against
      description: 来访者认为与这个想法不符的地方。
    - name: balanced_thought
      description: 对这个想法更平衡的说法。
topic:
  topic_id: reframe
  topic_name: 重构想法
  topic_goal: 温和地、不争辩地一起看一个想法，找到更平衡的说法。
  actions:
    - action_type: ai_ask
      action_id: ask_evidence_for
      config:
        content: 来访者有这样一个想法：“{thought}”。请问问是什么让这个想法显得真实。
        max_rounds: 2
        output:
          - get: evidence_for
            define: 来访者认为支持这个想法的理由，一句话。
    - action_type: ai_ask
      action_id: ask_evidence_against
      config:
        content: 请问问有没有什么和“{thought}”不太相符的地方，比如它不成立的时候。
        max_rounds: 2
        output:
          - get: evidence_against
            define: 来访者认为与这个想法不符的地方，一句话。
    - action_type: ai_think
      action_id: find_balance
      config:
        content: 结合支持的理由（{evidence_for}）和不相符的地方（{evidence_against}），用来访者的口吻把“{thought}”换成更平衡的一句话。
        output:
          - get: balanced_thought
            define: 更平衡的想法，一句话，用来访者的口吻。
    - action_type: ai_say
      action_id: offer_balance
      config:
        content: 把更平衡的说法“{balanced_thought}”告诉来访者，并问问感觉如何。
        max_rounds: 1
`;
