/**
 * The built-in crisis protocol (en) as YAML text. A TypeScript module, not a
 * .yaml file: the CLI and the benchmarks run the engine under tsx, which
 * cannot import .yaml (only wrangler and the node tests read .yaml as text).
 */
export default `# The built-in crisis protocol (English). The engine runs it instead of the
# script when the client's words show a risk (crisis/protocol.ts); a project
# replaces it with its own "crisis" file in this same language.
#
# What the engine provides (read-only): crisis_level (low | high | imminent,
# the highest seen), crisis_repeat (false the first time through, true when
# the protocol starts over), crisis_resources (the configured crisis lines,
# one per line), emergency_resources (the emergency number).
# A line whose content uses {crisis_resources} or {emergency_resources} is
# shown exactly as written, never reworded by the model.
# What the engine reads: current_risk (none | low | high | imminent) when the
# protocol reaches its end. Only none, with nothing risky in the client's
# words, returns to the script; at imminent the protocol never returns.
session:
  session_id: crisis_protocol_en
  session_name: Crisis protocol
  language: en
  version: "1"
  phases:
    - phase_id: crisis
      phase_name: Crisis support
      topics:
        - topic_id: safety
          topic_name: Safety first
          topic_goal: Respond with care and without judgement, make sure the client knows where to find a person to talk to now, and ask directly about their safety.
          strategy: Stay calm, warm and direct. Do not argue, lecture, judge or change the subject. Asking about suicide directly does not put the idea in anyone's head.
          actions:
            - action_type: ai_say
              action_id: acknowledge
              condition: "!crisis_repeat"
              config:
                content: Thank you for telling me. It sounds like you are going through a lot of pain right now, and I'm glad you said it. You are not alone with this, and there is no judgement here.
                tone: calm, warm, direct
                wait_for_reply: false
            - action_type: ai_say
              action_id: stay_with
              condition: crisis_repeat
              config:
                content: I'm still here with you. What you are going through matters, and your safety matters most right now.
                tone: calm, warm, direct
                wait_for_reply: false
            - action_type: ai_say
              action_id: resources
              condition: crisis_level != "imminent"
              config:
                content: |-
                  You can talk to a trained person right now, any time:

                  {crisis_resources}

                  If you would like to talk with a human counselor, these lines will put you in touch with one. If you are in immediate danger, call {emergency_resources}.
                wait_for_reply: false
            - action_type: ai_say
              action_id: resources_now
              condition: crisis_level == "imminent"
              config:
                content: |-
                  Your safety comes first. Please call {emergency_resources} now, or one of these lines, where a trained person will talk with you right away:

                  {crisis_resources}

                  If you can, ask someone near you to stay with you, and move away from anything you could use to hurt yourself.
                wait_for_reply: false
            - action_type: ai_ask
              action_id: confirm
              config:
                content: Can I ask you directly, are you thinking about ending your life or hurting yourself right now?
                tone: calm, warm, direct
                max_rounds: 1
                output:
                  - &current_risk
                    get: current_risk
                    type: enum
                    values: [none, low, high, imminent]
                    define: >-
                      How much risk the client's latest answer shows right now. none: they clearly say they are safe
                      and not thinking of ending their life or hurting themselves. low: passing thoughts, no intent.
                      high: thoughts of suicide or self-harm. imminent: a plan, the means or the intent to act soon,
                      or acting now. When unsure, do not answer none.
            # One gentle follow-up after a denial: a single "no" is not the end of it.
            - action_type: ai_ask
              action_id: follow_up
              condition: current_risk == "none" && crisis_level != "imminent"
              config:
                content: I'm glad to hear that. These things can be hard to say, so let me ask once more, gently, are you having any thoughts right now of ending your life or hurting yourself, even if you would not act on them? If not, we can go back to where we were.
                tone: gentle, unhurried
                max_rounds: 1
                output:
                  - *current_risk # the same reading as confirm's
`;
