"""Model search, English detection, describe_models and the download (against a local HTTP server)."""

from __future__ import annotations

import hashlib
import http.server
import io
import threading
import zipfile
from pathlib import Path

import pytest

from voice.errors import ModelError
from voice.speech import vosk_models as models
from voice.speech.listening import build_listener, describe_models


def _fake_model(folder: Path, words: str | None = None) -> Path:
    (folder / "am").mkdir(parents=True)
    (folder / "conf").mkdir()
    (folder / "am" / "final.mdl").write_bytes(b"\0" * 16)
    (folder / "conf" / "model.conf").write_text("--sample-frequency=16000\n")
    if words is not None:
        (folder / "graph").mkdir()
        (folder / "graph" / "words.txt").write_text(
            "".join(f"{w} {i}\n" for i, w in enumerate(words.split())))
    return folder


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An empty home and data dir, and no VOSK_MODEL_PATH: nothing of this machine is found."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("VOSK_MODEL_PATH", raising=False)
    return tmp_path


def test_english_by_name_or_by_vocabulary(tmp_path):
    assert models.is_english(_fake_model(tmp_path / "vosk-model-small-en-us-0.15"))
    assert models.is_english(_fake_model(tmp_path / "mymodel", "the yes hello seven because pain"))
    assert not models.is_english(_fake_model(tmp_path / "vosk-model-small-ko-0.22", "네 아니요"))


def test_search_order_and_english_choice(home):
    cache = home / "home" / ".cache" / "vosk"
    _fake_model(cache / "vosk-model-small-de-0.15", "ja nein")
    english = _fake_model(cache / "vosk-model-small-en-us-0.15")
    assert models.find_english_model() == english
    found, searched = models.find_models()
    assert str(cache) == searched[0]
    assert {f.path.name: f.english for f in found} == {"vosk-model-small-de-0.15": False,
                                                      "vosk-model-small-en-us-0.15": True}
    text = describe_models()
    assert "vosk-model-small-en-us-0.15  (English)" in text and "not English" in text


def test_env_variable_and_explicit_model_win(home, monkeypatch):
    env_model = _fake_model(home / "elsewhere" / "vosk-model-en-us-0.22")
    monkeypatch.setenv("VOSK_MODEL_PATH", str(env_model))
    assert models.find_english_model() == env_model
    explicit = _fake_model(home / "mine")  # not recognizably English, but asked for by path
    assert models.find_english_model(explicit) == explicit


def test_vosk_without_a_model_names_every_place_and_the_fix(home):
    with pytest.raises(ModelError) as err:
        build_listener(engine="vosk", audio_in=io.StringIO(""))
    text = str(err.value)
    for place in models.search_dirs():
        assert str(place) in text
    assert "voice-triage models download" in text and "--model PATH" in text and "VOSK_MODEL_PATH" in text
    with pytest.raises(ModelError, match="no Vosk model in this folder"):
        build_listener(engine="vosk", model=str(home / "nothing-here"), audio_in=io.StringIO(""))
    assert "none" in describe_models().lower()


def test_auto_without_a_model_uses_pocketsphinx(home):
    listener = build_listener(engine="auto", audio_in=io.StringIO(""), fast=True)
    try:
        assert listener.engine == "pocketsphinx"
    finally:
        listener.close()
    with pytest.raises(ModelError, match="unknown speech engine"):
        build_listener(engine="klingon", audio_in=io.StringIO(""))


def _zip_of_model(tmp_path: Path) -> bytes:
    src = _fake_model(tmp_path / "src" / "vosk-model-small-en-us-0.15")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for f in sorted(src.rglob("*")):
            zf.write(f, f.relative_to(src.parent).as_posix())
    return buf.getvalue()


@pytest.fixture
def server(tmp_path):
    """A real HTTP server on localhost serving a real zip of a (tiny) model folder."""
    payload = _zip_of_model(tmp_path)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server name
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/model.zip", hashlib.sha256(payload).hexdigest()
    httpd.shutdown()
    httpd.server_close()


def test_download_verifies_unzips_atomically_and_shows_progress(tmp_path, server):
    url, digest = server
    progress = io.StringIO()
    target = models.download_model(tmp_path / "models", url=url, sha256=digest, progress=progress)
    assert target == tmp_path / "models" / "vosk-model-small-en-us-0.15"
    assert models.is_model_dir(target)
    assert "100.0%" in progress.getvalue()
    assert [p.name for p in (tmp_path / "models").iterdir()] == [target.name]  # no temporary leftovers
    again = io.StringIO()
    assert models.download_model(tmp_path / "models", url=url, sha256=digest, progress=again) == target
    assert "already there" in again.getvalue()


def test_download_with_a_wrong_checksum_leaves_nothing(tmp_path, server):
    url, _ = server
    with pytest.raises(ModelError, match="checksum mismatch"):
        models.download_model(tmp_path / "models", url=url, sha256="0" * 64, progress=io.StringIO())
    assert list((tmp_path / "models").iterdir()) == []


def test_download_failure_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="download failed") as err:
        models.download_model(tmp_path / "m", url="http://127.0.0.1:9/none.zip", progress=io.StringIO(),
                              timeout=2)
    assert err.value.fix


def test_published_checksum_is_pinned():
    assert models.MODEL_URL == "https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.15.zip"
    assert len(models.MODEL_SHA256) == 64
