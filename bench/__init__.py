"""Measurement of the assistant, run from the checkout (not installed with the package).

`python -m bench [--quick] [--out results] [--seed 0]` is the benchmark; the other commands are
`python -m bench.evaluation` (triage accuracy on the test patients), `python -m bench.soak` (the
kiosk soak) and `python -m bench.listening` (the listening side's recognition figures).

Modules:
- corpus: the spoken-answer corpus (seeded; real questions, grammar and patient phrasings, many voices)
  and `render` (clean, or in babble at an SNR)
- naive: the naive peer's keyword spotting on open-vocabulary transcriptions
- understanding: both paths over the corpus at every noise level, in worker processes
- sessions: real-time spoken sessions through the CLI (reply latency), start-up, peak memory
- tts_timing: text-to-speech time to first audio on the real prompts
- babble_sessions, babble_alone: whole spoken sessions in babble by held-out voices; turns of babble
  with no answer in them
- triage: triage accuracy on the test patients (bench.evaluation)
- scoring, report, settings, plots, machine: counting, the markdown tables, their settings lines,
  figures, what it ran on (and memory figures from /proc)
- run: every measurement in order; __main__: the command line
- evaluation/: the test patients (vignettes), the simulated patient and the accuracy report
- driver: one `python -m voice` session in a subprocess (used by evaluation/ and sessions)
- testaudio: test speech (espeak-ng answers, waiting-room babble) for the tests and the benchmark
- soak, listening: the kiosk soak and the listening figures
"""
