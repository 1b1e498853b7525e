"""The measurement command: `python -m voice.bench [--quick] [--out results] [--seed 0]`.

Modules:
- corpus: the spoken-answer corpus (seeded; real questions, grammar and patient phrasings, many voices)
  and `render` (clean, or in babble at an SNR)
- naive: the naive peer's keyword spotting on open-vocabulary transcriptions
- understanding: both paths over the corpus at every noise level, in worker processes
- sessions: real-time spoken sessions through the CLI (reply latency), start-up, peak memory
- tts_timing: text-to-speech time to first audio on the real prompts
- babble_sessions, babble_alone: whole spoken sessions in babble by held-out voices; turns of babble
  with no answer in them
- triage: triage accuracy on the test patients (voice.evaluation)
- scoring, report, plots, machine: counting, markdown, figures, what it ran on
- run: every measurement in order; __main__: the command line
"""
