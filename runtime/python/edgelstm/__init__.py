"""EdgeLstm from Python: LSTM models (.elstm int8/int4/float, float .safetensors) run by libedgelstm, the NativeAOT
runtime shipped inside this package, through its C ABI (runtime/include/edgelstm.h, API version 6).

    import edgelstm
    with edgelstm.Model("sentiment.elstm") as model:
        label, p = model.classify("Great food and friendly staff.")
        probabilities = model.probabilities("Great food.")        # numpy.ndarray, shape (labels,)

Text goes in and comes out as Python strings (UTF-8 on the C side); numbers as NumPy float32/int32 arrays. Every
call checks the C status: a failure raises EdgeLstmError with the status and the library's one-line message. Models,
sessions, runners and samplers are freed by close() or a with-block (and, failing that, when garbage-collected).

The library is the one in the package (edgelstm/lib/libedgelstm.so; on x64 CPUs with AVX-512 the x86-64-v4 build
beside it), or $EDGELSTM_LIBRARY, or the path given to load_library() before the first model is opened.
"""
from __future__ import annotations

import ctypes
import datetime
import enum
import os
import sys
import threading
from dataclasses import dataclass
from typing import Any, Callable, Optional, Tuple, Union

import numpy as np
import numpy.typing as npt

from . import _native

__version__ = "0.1.0"
API_VERSION = _native.API_VERSION
THREADS_AUTO = 0  # EDGELSTM_THREADS_AUTO: a second core only where the model is large enough for it to pay (API 6)
FORMS = ("jueju5", "jueju7", "lushi5", "lushi7")  # poem forms of edgelstm_generate_params.form

PathLike = Union[str, "os.PathLike[str]"]
__all__ = ["Model", "ModelInfo", "Runner", "Transducer", "Session", "Sampler", "EdgeLstmError", "Status", "load_library",
           "library_path", "library_version", "api_version", "kernel_name", "format_version", "THREADS_AUTO", "FORMS"]


class Status(enum.IntEnum):
    """edgelstm_status: what a C call returned."""
    OK = 0
    INVALID_ARGUMENT = 1   # NULL pointer, value out of range, text outside the vocabulary
    INVALID_HANDLE = 2     # NULL, freed or unknown handle
    FILE_NOT_FOUND = 3     # missing or unreadable file
    INVALID_MODEL = 4      # corrupt, truncated or inconsistent model
    BUFFER_TOO_SMALL = 5   # a caller buffer is too small
    UNSUPPORTED = 6        # the model does not support this call
    INTERNAL = 7           # a bug in the library


class EdgeLstmError(Exception):
    """A failed C call: `status` (a Status, or the raw int if the library returned one this package does not know)
    and `message` (edgelstm_last_error() of the failing call)."""

    def __init__(self, status: int, message: str) -> None:
        try:
            status = Status(status)
        except ValueError:
            pass
        self.status = status
        self.message = message
        name = status.name if isinstance(status, Status) else str(status)
        super().__init__(f"{message} (status {int(status)}: {name})")


_lock = threading.Lock()
_library: Optional[ctypes.CDLL] = None


def load_library(path: Optional[PathLike] = None) -> ctypes.CDLL:
    """Opens libedgelstm once for the process (later calls return the same library; a NativeAOT library cannot be
    unloaded). `path` (else $EDGELSTM_LIBRARY) is loaded exactly as given; without either, the package's copy."""
    global _library
    with _lock:
        if _library is None:
            _library = _native.load(os.fspath(path) if path is not None else None)
        elif path is not None and os.path.abspath(os.fspath(path)) != os.path.abspath(_library._edgelstm_path):
            raise RuntimeError(f"libedgelstm is already loaded from {_library._edgelstm_path}")
        return _library


def _lib() -> ctypes.CDLL:
    return _library if _library is not None else load_library()


def library_path() -> str:
    """Path of the library this process loaded (loading it if needed)."""
    return _lib()._edgelstm_path


def library_version() -> str:
    """The library's version, e.g. "0.1.0"."""
    return _lib().edgelstm_version().decode()


def api_version() -> int:
    """The library's API version (>= API_VERSION, or loading it failed)."""
    return _lib().edgelstm_api_version()


def kernel_name() -> str:
    """Kernel variant in use, e.g. "avx512bw-maddubs", "avx2-maddubs", "neon-sdot"."""
    return _lib().edgelstm_kernel_name().decode()


def format_version() -> Tuple[int, int]:
    """Newest .elstm format (major, minor) the library reads."""
    major, minor = ctypes.c_int(), ctypes.c_int()
    _check(_lib().edgelstm_format_version(ctypes.byref(major), ctypes.byref(minor)))
    return major.value, minor.value


def _check(status: int) -> None:
    if status != Status.OK:
        message = _lib().edgelstm_last_error()
        raise EdgeLstmError(status, message.decode("utf-8", "replace") if message else "")


def _floats(array: np.ndarray) -> "ctypes._Pointer[ctypes.c_float]":
    return array.ctypes.data_as(ctypes.POINTER(ctypes.c_float))


def _ints(array: np.ndarray) -> "ctypes._Pointer[ctypes.c_int32]":
    return array.ctypes.data_as(ctypes.POINTER(ctypes.c_int32))


def _text_out(call: Callable[[Optional[ctypes.Array], int, Any], int]) -> str:
    """Runs a call that writes NUL-terminated UTF-8 whole or not at all: asks the length, then fills an exact buffer."""
    length = ctypes.c_size_t()
    status = call(None, 0, ctypes.byref(length))
    if status == Status.OK:
        return ""
    if status != Status.BUFFER_TOO_SMALL:
        _check(status)
    buffer = ctypes.create_string_buffer(length.value + 1)
    _check(call(buffer, len(buffer), ctypes.byref(length)))
    return buffer.raw[: length.value].decode()


class _Handle:
    """An owned C handle freed once by close(), a with-block, or garbage collection."""
    _free_name = ""

    def __init__(self) -> None:
        self._handle = ctypes.c_void_p()

    @property
    def closed(self) -> bool:
        return not self._handle

    def _live(self) -> ctypes.c_void_p:
        if not self._handle:
            raise EdgeLstmError(Status.INVALID_HANDLE, f"the {type(self).__name__.lower()} is closed")
        return self._handle

    def close(self) -> None:
        """Frees the handle (again: nothing)."""
        if self._handle:
            handle, self._handle = self._handle, ctypes.c_void_p()
            _check(getattr(_lib(), self._free_name)(handle))

    def __enter__(self):
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_handle", None) and not sys.is_finalizing():
            try:
                self.close()
            except Exception:
                pass


@dataclass(frozen=True)
class ModelInfo:
    """What a model is (edgelstm_model_info and its labels)."""
    task: str                 # "char-lm", "word-lm", "sequence", "forecast", "classify", "tag", "regress", "seq2seq"
    input_kind: str           # "tokens" or "vectors"
    tokenizer: Optional[str]  # "char" or "word"; None for vector input
    head: str                 # "next-token", "classify", "tag", "regress" or "attention-decoder"
    pooling: str              # "none" (a head at every step), "last", "mean", "max" or "attention"
    input_size: int           # embedding size (tokens) or vector width
    output_size: int          # outputs of the head: vocabulary size, label count or regression outputs
    vocab_size: int           # tokens in the vocabulary; 0 for vector input
    layers: int
    bidirectional: bool
    steppable: bool           # sessions work (forward-only, a head at every step)
    labels: Tuple[str, ...]   # classify and tag labels, regression output names
    max_steps: int            # inputs are cut to this many steps before a run; 0 = no cut
    forecast_history: int     # forecasters: days of history forecast() needs at least; else 0
    forecast_horizon: int     # forecasters: days the model was trained to forecast; else 0


def _run_params(softmax: bool, max_steps: int) -> _native.RunParams:
    params = _lib().edgelstm_run_default_params()
    params.softmax, params.max_steps = int(bool(softmax)), max_steps
    return params


def _run(call: Callable[[Any, int, Any], int], guess: int, outputs: int, per_step: bool) -> np.ndarray:
    """Runs a whole-sequence call into a float32 array (grown once if the guess was short); shape (steps, outputs)
    for a head at every step, (outputs,) for a pooled one."""
    count = ctypes.c_size_t()
    result = np.empty(max(guess, outputs, 1), dtype=np.float32)
    status = call(_floats(result), result.size, ctypes.byref(count))
    if status == Status.BUFFER_TOO_SMALL:
        result = np.empty(count.value, dtype=np.float32)
        status = call(_floats(result), result.size, ctypes.byref(count))
    _check(status)
    result = result[: count.value].copy()
    return result.reshape(-1, outputs) if per_step else result


class _Runs(_Handle):
    """Whole-sequence runs on a model (edgelstm_model_run_*) or a runner (edgelstm_runner_run_*)."""
    _run_text_name = _run_tokens_name = ""
    info: "ModelInfo"

    def run_text(self, text: str, *, softmax: bool = False, max_steps: int = 0) -> npt.NDArray[np.float32]:
        """Runs `text` from a zero state through every layer and the head (edgelstm_model_run_text): float32 of shape
        (steps, outputs) for a head at every step, (outputs,) for a pooled head. softmax=True gives probabilities
        (classify, tag, next-token heads); max_steps 0 = the model's cut, -1 = never cut."""
        handle, params, run = self._live(), _run_params(softmax, max_steps), getattr(_lib(), self._run_text_name)
        return _run(lambda out, capacity, count: run(handle, text.encode(), ctypes.byref(params), out, capacity, count),
                    self.info.output_size * (len(text.encode()) + 1), self.info.output_size, self.info.pooling == "none")

    def run_tokens(self, tokens: npt.ArrayLike, *, softmax: bool = False, max_steps: int = 0) -> npt.NDArray[np.float32]:
        """As run_text, from token ids (any integer array-like, converted to int32)."""
        handle, params, run = self._live(), _run_params(softmax, max_steps), getattr(_lib(), self._run_tokens_name)
        ids = np.ascontiguousarray(tokens, dtype=np.int32).reshape(-1)
        return _run(lambda out, capacity, count: run(handle, _ints(ids), ids.size, ctypes.byref(params), out, capacity, count),
                    self.info.output_size * (ids.size + 1), self.info.output_size, self.info.pooling == "none")

    def probabilities(self, text: str) -> npt.NDArray[np.float32]:
        """A classifier's label probabilities for `text`, shape (labels,) (cut to the model's max_steps)."""
        return self.run_text(text, softmax=True)


class Model(_Runs):
    """A loaded model (edgelstm_model_load: an .elstm file is memory-mapped). Read-only and thread-safe once loaded;
    free it with close() or a with-block. Sessions and runners made from it may outlive it."""
    _free_name = "edgelstm_model_free"
    _run_text_name, _run_tokens_name = "edgelstm_model_run_text", "edgelstm_model_run_tokens"

    def __init__(self, path: PathLike) -> None:
        super().__init__()
        self.path = os.fspath(path)
        _check(_lib().edgelstm_model_load(self.path.encode(), ctypes.byref(self._handle)))
        self._read_info()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Model":
        """A model from bytes in memory (edgelstm_model_load_memory copies them)."""
        model = cls.__new__(cls)
        _Handle.__init__(model)
        model.path = "<memory>"
        _check(_lib().edgelstm_model_load_memory(data, len(data), ctypes.byref(model._handle)))
        model._read_info()
        return model

    def _read_info(self) -> None:
        lib, raw = _lib(), _native.ModelInfoStruct(struct_size=ctypes.sizeof(_native.ModelInfoStruct))
        _check(lib.edgelstm_model_get_info(self._handle, ctypes.byref(raw)))
        labels = []
        for i in range(raw.label_count):
            label = ctypes.c_char_p()
            _check(lib.edgelstm_model_label(self._handle, i, ctypes.byref(label)))
            labels.append(label.value.decode())
        text = lambda value: value.decode() if value is not None else None  # noqa: E731
        self.info = ModelInfo(
            task=text(raw.task), input_kind=text(raw.input_kind), tokenizer=text(raw.tokenizer), head=text(raw.head),
            pooling=text(raw.pooling), input_size=raw.input_size, output_size=raw.output_size, vocab_size=raw.vocab_size,
            layers=raw.layers, bidirectional=bool(raw.bidirectional), steppable=bool(raw.steppable), labels=tuple(labels),
            max_steps=raw.max_steps, forecast_history=raw.forecast_history, forecast_horizon=raw.forecast_horizon)

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"{self.info.task}, {self.info.layers} layer(s)"
        return f"<edgelstm.Model {self.path!r} ({state})>"

    @property
    def labels(self) -> Tuple[str, ...]:
        return self.info.labels

    # ---- tokens ----
    def encode(self, text: str) -> npt.NDArray[np.int32]:
        """Token ids of `text` by the model's tokenizer (words outside a word vocabulary become <unk>)."""
        handle, utf8, count = self._live(), text.encode(), ctypes.c_size_t()
        ids = np.empty(len(utf8) + 1, dtype=np.int32)
        status = _lib().edgelstm_model_encode(handle, utf8, _ints(ids), ids.size, ctypes.byref(count))
        if status == Status.BUFFER_TOO_SMALL:
            ids = np.empty(count.value, dtype=np.int32)
            status = _lib().edgelstm_model_encode(handle, utf8, _ints(ids), ids.size, ctypes.byref(count))
        _check(status)
        return ids[: count.value].copy()

    def token_text(self, token: int) -> str:
        """A token's text."""
        handle = self._live()
        return _text_out(lambda out, capacity, length: _lib().edgelstm_model_token_text(handle, token, out, capacity, length))

    # ---- whole-sequence runs (run_text, run_tokens, probabilities: _Runs) ----
    def classify(self, text: str) -> Tuple[str, float]:
        """(label, probability) of the most likely label (edgelstm_model_classify); other models raise
        EdgeLstmError(UNSUPPORTED)."""
        handle, label, probability = self._live(), ctypes.c_int32(), ctypes.c_float()
        _check(_lib().edgelstm_model_classify(handle, text.encode(), ctypes.byref(label), ctypes.byref(probability)))
        return self.info.labels[label.value], probability.value

    def runner(self, threads: int = 1) -> "Runner":
        """A Runner over this model: whole-sequence runs on kept buffers; threads=2 (or THREADS_AUTO) runs a
        bidirectional int8 model's two directions on two cores, with the same outputs."""
        return Runner(self, threads)

    # ---- text out ----
    def generate(self, prompt: str = "", *, max_tokens: int = 200, temperature: float = 0.8, top_k: int = 0,
                 top_p: float = 1.0, seed: int = 42, form: Optional[str] = None) -> str:
        """A language model's text (edgelstm_model_generate): `prompt` followed by up to max_tokens sampled tokens
        (temperature 0 = greedy; the same seed gives the same text). With form (one of FORMS) a poetry model writes one
        poem in that form starting with the prompt."""
        handle, params = self._live(), _lib().edgelstm_generate_default_params()
        params.max_tokens, params.temperature, params.top_k, params.top_p, params.seed = max_tokens, temperature, top_k, top_p, seed
        params.form = form.encode() if form else None
        return _text_out(lambda out, capacity, length: _lib().edgelstm_model_generate(handle, prompt.encode(), ctypes.byref(params), out, capacity, length))

    def poem(self, form: str = "jueju5", *, prompt: str = "", seed: int = 42, temperature: float = 0.8) -> str:
        """One poem of a poetry model in `form` ("jueju5", "jueju7", "lushi5", "lushi7"), starting with `prompt`."""
        if form not in FORMS:
            raise ValueError(f"form must be one of {', '.join(FORMS)}, not {form!r}")
        return self.generate(prompt, temperature=temperature, seed=seed, form=form)

    def tag(self, text: str) -> str:
        """A tag model's output (edgelstm_model_tag): a punctuation restorer's text with its marks restored, another
        tagger's "token/label" pairs separated by spaces."""
        handle = self._live()
        return _text_out(lambda out, capacity, length: _lib().edgelstm_model_tag(handle, text.encode(), out, capacity, length))

    def g2p(self, word: str, *, beam: int = 5) -> str:
        """A sequence-to-sequence model's output for `word` (edgelstm_model_transduce; grapheme-to-phoneme: phonemes
        separated by spaces), decoded with a beam of `beam` hypotheses (1 = greedy, at most 8)."""
        handle = self._live()
        return _text_out(lambda out, capacity, length: _lib().edgelstm_model_transduce(handle, word.encode(), beam, out, capacity, length))

    transduce = g2p

    # ---- forecasts ----
    def forecast(self, history: npt.ArrayLike, last_date: Union[str, datetime.date], horizon: Optional[int] = None) -> npt.NDArray[np.float32]:
        """A forecaster's next `horizon` days (default: the model's horizon) after `last_date`
        (edgelstm_model_forecast): `history` holds consecutive daily values ending at last_date, at least
        info.forecast_history of them. Returns float32 of shape (horizon,)."""
        handle = self._live()
        values = np.ascontiguousarray(history, dtype=np.float32).reshape(-1)
        days = self.info.forecast_horizon if horizon is None else horizon
        result = np.empty(days, dtype=np.float32)
        date = last_date.isoformat() if isinstance(last_date, datetime.date) else last_date
        _check(_lib().edgelstm_model_forecast(handle, date.encode(), _floats(values), values.size, _floats(result), days))
        return result

    # ---- streams ----
    def session(self, threads: int = 1) -> "Session":
        """A Session stepping this (steppable) model token by token or vector by vector, keeping its state."""
        return Session(self, threads)


class Session(_Handle):
    """A stream over a steppable model (edgelstm_session_*): step() feeds a token, step_input() a float vector; each
    returns the head's outputs (a language model's next-token logits). Use from one thread at a time."""
    _free_name = "edgelstm_session_free"

    def __init__(self, model: Model, threads: int = 1) -> None:
        super().__init__()
        _check(_lib().edgelstm_session_create(model._live(), threads, ctypes.byref(self._handle)))
        self.info = model.info
        self._outputs = np.empty(model.info.output_size, dtype=np.float32)

    def step(self, token: int) -> npt.NDArray[np.float32]:
        """Feeds one token; returns a copy of the outputs, shape (outputs,)."""
        _check(_lib().edgelstm_session_step(self._live(), token, _floats(self._outputs), self._outputs.size))
        return self._outputs.copy()

    def step_input(self, vector: npt.ArrayLike) -> npt.NDArray[np.float32]:
        """Feeds one float input vector of the model's input size; returns the outputs, shape (outputs,)."""
        values = np.ascontiguousarray(vector, dtype=np.float32).reshape(-1)
        _check(_lib().edgelstm_session_step_input(self._live(), _floats(values), values.size, _floats(self._outputs), self._outputs.size))
        return self._outputs.copy()

    def reset(self) -> None:
        """Back to the zero state."""
        _check(_lib().edgelstm_session_reset(self._live()))

    def get_state(self) -> npt.NDArray[np.float32]:
        """The recurrent state (h and c of every layer) as float32."""
        handle, size = self._live(), ctypes.c_size_t()
        _check(_lib().edgelstm_session_state_size(handle, ctypes.byref(size)))
        state = np.empty(size.value, dtype=np.float32)
        _check(_lib().edgelstm_session_get_state(handle, _floats(state), state.size))
        return state

    def set_state(self, state: npt.ArrayLike) -> None:
        """Restores a state from get_state()."""
        values = np.ascontiguousarray(state, dtype=np.float32).reshape(-1)
        _check(_lib().edgelstm_session_set_state(self._live(), _floats(values), values.size))


class Runner(_Runs):
    """Whole-sequence runs on buffers kept between calls (edgelstm_runner_*): the outputs of Model.run_text/run_tokens,
    with threads=2 (or THREADS_AUTO) a bidirectional int8 model's two directions on two cores. Use from one thread at
    a time; it may outlive its model."""
    _free_name = "edgelstm_runner_free"
    _run_text_name, _run_tokens_name = "edgelstm_runner_run_text", "edgelstm_runner_run_tokens"

    def __init__(self, model: Model, threads: int = 1) -> None:
        super().__init__()
        _check(_lib().edgelstm_runner_create(model._live(), threads, ctypes.byref(self._handle)))
        self.info = model.info

    def classify(self, text: str) -> Tuple[str, float]:
        """(label, probability) of the most likely label, from probabilities()."""
        p = self.probabilities(text)
        best = int(np.argmax(p))
        return self.info.labels[best], float(p[best])


class Transducer(_Handle):
    """A sequence-to-sequence model's outputs word after word on buffers kept between calls (edgelstm_transducer_*,
    API 7): Model.g2p's phonemes without the model set-up per call; threads=2 (or THREADS_AUTO) runs an int8 encoder's
    bidirectional layers on two cores (the same outputs). Use from one thread at a time; it may outlive its model."""
    _free_name = "edgelstm_transducer_free"

    def __init__(self, model: Model, threads: int = 1) -> None:
        super().__init__()
        _check(_lib().edgelstm_transducer_create(model._live(), threads, ctypes.byref(self._handle)))

    def g2p(self, word: str, *, beam: int = 5) -> str:
        """The output symbols for `word`, separated by spaces, decoded with a beam of `beam` (1 = greedy, at most 8)."""
        handle = self._live()
        return _text_out(lambda out, capacity, length: _lib().edgelstm_transducer_run(handle, word.encode(), beam, out, capacity, length))

    transduce = g2p


class Sampler(_Handle):
    """Sampling as the CLI does it (edgelstm_sampler_*): temperature (0 = greedy), top_k (0 = all), top_p in (0, 1],
    seeded."""
    _free_name = "edgelstm_sampler_free"

    def __init__(self, temperature: float = 0.8, top_k: int = 0, top_p: float = 1.0, seed: int = 42) -> None:
        super().__init__()
        _check(_lib().edgelstm_sampler_create(temperature, top_k, top_p, seed, ctypes.byref(self._handle)))

    def sample(self, logits: npt.ArrayLike) -> int:
        """A token id drawn from `logits`."""
        values = np.ascontiguousarray(logits, dtype=np.float32).reshape(-1)
        token = ctypes.c_int32()
        _check(_lib().edgelstm_sampler_sample(self._live(), _floats(values), values.size, ctypes.byref(token)))
        return token.value
