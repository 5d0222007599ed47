/**
 * The bundled technique `reframe_thought` (en) as YAML text: a TypeScript module for the same reason as the
 * crisis protocols (crisis/protocol-en.ts): tsx cannot import .yaml.
 */
export default `# Reframing a thought: look at the evidence for and against it together, then
# put it in more balanced words. Run it from a session with use_skill.
technique:
  technique_id: reframe_thought
  technique_name: Reframing a thought
  language: en
  description: Examines one unhelpful thought with the client and finds a more balanced way to put it.
  inputs:
    - name: thought
      description: The thought to look at, in the client's words.
    - name: situation
      description: Where the thought came up.
      required: false
  outputs:
    - name: evidence_for
      description: What the client says supports the thought.
    - name: evidence_against
      description: What the client says does not fit the thought.
    - name: balanced_thought
      description: A more balanced way of putting the thought.
topic:
  topic_id: reframe
  topic_name: Reframing a thought
  topic_goal: Look at one thought together, gently and without arguing, and find a more balanced way to put it.
  actions:
    - action_type: ai_ask
      action_id: ask_evidence_for
      config:
        content: The client has the thought "{thought}". Ask what makes the thought feel true to them.
        max_rounds: 2
        output:
          - get: evidence_for
            define: What the client says supports the thought, in a sentence.
    - action_type: ai_ask
      action_id: ask_evidence_against
      config:
        content: Ask whether anything does not quite fit the thought "{thought}", such as a time it was not true.
        max_rounds: 2
        output:
          - get: evidence_against
            define: What the client says does not fit the thought, in a sentence.
    - action_type: ai_think
      action_id: find_balance
      config:
        content: >-
          Put the thought "{thought}" in more balanced words, in the client's voice, using what supports it
          ({evidence_for}) and what does not fit it ({evidence_against}). One sentence.
        output:
          - get: balanced_thought
            define: The more balanced thought, one sentence in the client's voice.
    - action_type: ai_say
      action_id: offer_balance
      config:
        content: Offer the more balanced way of putting it, "{balanced_thought}", and ask how it sits with them.
        max_rounds: 1
`;
