"""ctypes binding of libedgelstm (include/edgelstm.h): load a model, ask what it is, classify text, generate text
(poems in a form too), restore punctuation (tagging), pronounce words (sequence to sequence). Text goes in and
comes out as UTF-8; Python strings on this side.

Every call checks the status; a failure raises EdgeLstmError with the library's one-line message. Models,
sessions and runners are freed by close() or a with-block.
"""
import ctypes
import os

OK, INVALID_ARGUMENT, INVALID_HANDLE, FILE_NOT_FOUND, INVALID_MODEL, BUFFER_TOO_SMALL, UNSUPPORTED, INTERNAL = range(8)
API_VERSION = 6
THREADS_AUTO = 0  # a second core only where the model is large enough for it to pay (API 6)


class EdgeLstmError(Exception):
    def __init__(self, status, message):
        super().__init__(f"{message} (status {status})")
        self.status = status


class ModelInfo(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("task", ctypes.c_char_p), ("input_kind", ctypes.c_char_p), ("tokenizer", ctypes.c_char_p),
        ("head", ctypes.c_char_p), ("pooling", ctypes.c_char_p),
        ("input_size", ctypes.c_int32), ("output_size", ctypes.c_int32), ("vocab_size", ctypes.c_int32),
        ("layers", ctypes.c_int32), ("bidirectional", ctypes.c_int32), ("steppable", ctypes.c_int32),
        ("label_count", ctypes.c_int32), ("max_steps", ctypes.c_int32),
        ("forecast_history", ctypes.c_int32), ("forecast_horizon", ctypes.c_int32),
    ]


class RunParams(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t), ("max_steps", ctypes.c_int32), ("softmax", ctypes.c_int32)]


class GenerateParams(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_size_t), ("max_tokens", ctypes.c_int32), ("temperature", ctypes.c_float),
        ("top_k", ctypes.c_int32), ("top_p", ctypes.c_float), ("seed", ctypes.c_uint64), ("form", ctypes.c_char_p),
    ]


def _has_x86_64_v4():
    """True on x64 CPUs with the AVX-512 set of x86-64-v4 (what glibc's loader checks for glibc-hwcaps/x86-64-v4)."""
    try:
        with open("/proc/cpuinfo") as info:
            flags = next((line.split() for line in info if line.startswith("flags")), [])
    except OSError:
        return False
    return all(f in flags for f in ("avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"))


def load_library(path=None):
    path = path or os.environ.get("EDGELSTM_LIB", "libedgelstm.so")
    # A library given by path is not searched for, so glibc-hwcaps does not apply: take the x86-64-v4 build beside
    # it ourselves where the CPU has AVX-512 (x64 releases ship lib/glibc-hwcaps/x86-64-v4/libedgelstm.so).
    v4 = os.path.join(os.path.dirname(path), "glibc-hwcaps", "x86-64-v4", os.path.basename(path))
    if os.path.dirname(path) and os.path.exists(v4) and _has_x86_64_v4():
        path = v4
    lib = ctypes.CDLL(path)
    P, I32, SZ, F = ctypes.c_void_p, ctypes.c_int32, ctypes.c_size_t, ctypes.POINTER(ctypes.c_float)
    signatures = {
        "edgelstm_api_version": ([], ctypes.c_int),
        "edgelstm_version": ([], ctypes.c_char_p),
        "edgelstm_last_error": ([], ctypes.c_char_p),
        "edgelstm_model_load": ([ctypes.c_char_p, ctypes.POINTER(P)], ctypes.c_int),
        "edgelstm_model_free": ([P], ctypes.c_int),
        "edgelstm_model_get_info": ([P, ctypes.POINTER(ModelInfo)], ctypes.c_int),
        "edgelstm_model_label": ([P, I32, ctypes.POINTER(ctypes.c_char_p)], ctypes.c_int),
        "edgelstm_run_default_params": ([], RunParams),
        "edgelstm_model_run_text": ([P, ctypes.c_char_p, ctypes.POINTER(RunParams), F, SZ, ctypes.POINTER(SZ)], ctypes.c_int),
        "edgelstm_model_transduce": ([P, ctypes.c_char_p, I32, ctypes.c_char_p, SZ, ctypes.POINTER(SZ)], ctypes.c_int),
        "edgelstm_generate_default_params": ([], GenerateParams),
        "edgelstm_model_generate": ([P, ctypes.c_char_p, ctypes.POINTER(GenerateParams), ctypes.c_char_p, SZ, ctypes.POINTER(SZ)], ctypes.c_int),
        "edgelstm_model_tag": ([P, ctypes.c_char_p, ctypes.c_char_p, SZ, ctypes.POINTER(SZ)], ctypes.c_int),
        "edgelstm_model_classify": ([P, ctypes.c_char_p, ctypes.POINTER(I32), ctypes.POINTER(ctypes.c_float)], ctypes.c_int),
        "edgelstm_model_encode": ([P, ctypes.c_char_p, ctypes.POINTER(I32), SZ, ctypes.POINTER(SZ)], ctypes.c_int),
        "edgelstm_model_token_text": ([P, I32, ctypes.c_char_p, SZ, ctypes.POINTER(SZ)], ctypes.c_int),
        "edgelstm_session_create": ([P, ctypes.c_int, ctypes.POINTER(P)], ctypes.c_int),
        "edgelstm_session_free": ([P], ctypes.c_int),
        "edgelstm_session_step": ([P, I32, F, SZ], ctypes.c_int),
        "edgelstm_runner_create": ([P, ctypes.c_int, ctypes.POINTER(P)], ctypes.c_int),
        "edgelstm_runner_run_text": ([P, ctypes.c_char_p, ctypes.POINTER(RunParams), F, SZ, ctypes.POINTER(SZ)], ctypes.c_int),
        "edgelstm_runner_free": ([P], ctypes.c_int),
        "edgelstm_sampler_create": ([ctypes.c_float, I32, ctypes.c_float, ctypes.c_uint64, ctypes.POINTER(P)], ctypes.c_int),
        "edgelstm_sampler_sample": ([P, F, SZ, ctypes.POINTER(I32)], ctypes.c_int),
        "edgelstm_sampler_free": ([P], ctypes.c_int),
    }
    for name, (args, result) in signatures.items():
        function = getattr(lib, name)
        function.argtypes, function.restype = args, result
    if lib.edgelstm_api_version() < API_VERSION:
        raise EdgeLstmError(UNSUPPORTED, f"{path} implements API version {lib.edgelstm_api_version()}; this binding needs {API_VERSION}")
    return lib


class Model:
    def __init__(self, lib, path):
        self._lib = lib
        self._handle = ctypes.c_void_p()
        self._check(lib.edgelstm_model_load(path.encode(), ctypes.byref(self._handle)))
        self.info = ModelInfo(struct_size=ctypes.sizeof(ModelInfo))
        self._check(lib.edgelstm_model_get_info(self._handle, ctypes.byref(self.info)))
        self.labels = []
        for i in range(self.info.label_count):
            label = ctypes.c_char_p()
            self._check(lib.edgelstm_model_label(self._handle, i, ctypes.byref(label)))
            self.labels.append(label.value.decode())

    def _check(self, status):
        if status != OK:
            raise EdgeLstmError(status, self._lib.edgelstm_last_error().decode())

    @property
    def task(self):
        return self.info.task.decode()

    def probabilities(self, text):
        """A classifier's label probabilities for one text (cut to the model's max_steps, as in training)."""
        params = self._lib.edgelstm_run_default_params()
        params.softmax = 1
        outputs = (ctypes.c_float * self.info.output_size)()
        count = ctypes.c_size_t()
        self._check(self._lib.edgelstm_model_run_text(self._handle, text.encode(), ctypes.byref(params), outputs, len(outputs), ctypes.byref(count)))
        return list(outputs[: count.value])

    def runner(self, threads=1):
        """A Runner: many texts through this model on kept buffers; threads=2 runs a bidirectional int8 model's two
        directions on two cores (the same results); THREADS_AUTO does so only where the model is large enough."""
        return Runner(self, threads)

    def classify(self, text):
        """(label, probability) of the most likely label; a model that does not classify raises EdgeLstmError."""
        label, probability = ctypes.c_int32(), ctypes.c_float()
        self._check(self._lib.edgelstm_model_classify(self._handle, text.encode(), ctypes.byref(label), ctypes.byref(probability)))
        return self.labels[label.value], probability.value

    def _text(self, call):
        """Runs a call that writes UTF-8 text: first asks the size (the library writes whole text or nothing), then fills an exact buffer."""
        length = ctypes.c_size_t()
        status = call(None, 0, ctypes.byref(length))
        if status != BUFFER_TOO_SMALL:
            self._check(status)
        buffer = ctypes.create_string_buffer(length.value + 1)
        self._check(call(buffer, len(buffer), ctypes.byref(length)))
        return buffer.value.decode()

    def transduce(self, text, beam=5):
        """A sequence-to-sequence model's output for `text` (a word, for grapheme-to-phoneme): symbols separated by spaces."""
        return self._text(lambda out, capacity, length: self._lib.edgelstm_model_transduce(self._handle, text.encode(), beam, out, capacity, length))

    def write(self, prompt="", max_tokens=200, temperature=0.8, top_k=0, top_p=1.0, seed=42, form=None):
        """The prompt and what a language model samples after it, in one call; with form ("jueju5", "jueju7",
        "lushi5", "lushi7") a poetry model's poem in that form, starting with the prompt."""
        params = self._lib.edgelstm_generate_default_params()
        params.max_tokens, params.temperature, params.top_k, params.top_p, params.seed = max_tokens, temperature, top_k, top_p, seed
        params.form = form.encode() if form else None
        return self._text(lambda out, capacity, length: self._lib.edgelstm_model_generate(self._handle, prompt.encode(), ctypes.byref(params), out, capacity, length))

    def tag(self, text):
        """A tag model's output: the text with punctuation restored (a punctuation model), else token/label pairs."""
        return self._text(lambda out, capacity, length: self._lib.edgelstm_model_tag(self._handle, text.encode(), out, capacity, length))

    def generate(self, prompt, max_tokens, temperature=0.0, top_k=0, top_p=1.0, seed=42):
        """Text generated after `prompt` by a language model, sampled as the CLI samples."""
        lib, vocab = self._lib, self.info.output_size
        ids = (ctypes.c_int32 * (len(prompt.encode()) + 1))()
        count = ctypes.c_size_t()
        self._check(lib.edgelstm_model_encode(self._handle, prompt.encode(), ids, len(ids), ctypes.byref(count)))
        session, sampler = ctypes.c_void_p(), ctypes.c_void_p()
        self._check(lib.edgelstm_session_create(self._handle, 1, ctypes.byref(session)))
        try:
            self._check(lib.edgelstm_sampler_create(temperature, top_k, top_p, seed, ctypes.byref(sampler)))
            logits = (ctypes.c_float * vocab)()
            for i in range(count.value):
                self._check(lib.edgelstm_session_step(session, ids[i], logits, vocab))
            pieces, token, buffer, length = [], ctypes.c_int32(), ctypes.create_string_buffer(64), ctypes.c_size_t()
            for _ in range(max_tokens):
                self._check(lib.edgelstm_sampler_sample(sampler, logits, vocab, ctypes.byref(token)))
                self._check(lib.edgelstm_model_token_text(self._handle, token, buffer, len(buffer), ctypes.byref(length)))
                pieces.append(buffer.value.decode())
                self._check(lib.edgelstm_session_step(session, token, logits, vocab))
            return "".join(pieces)
        finally:
            if sampler:
                lib.edgelstm_sampler_free(sampler)
            lib.edgelstm_session_free(session)

    def close(self):
        if self._handle:
            self._check(self._lib.edgelstm_model_free(self._handle))
            self._handle = ctypes.c_void_p()

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()


class Runner:
    """Whole-sequence runs on buffers kept between calls (edgelstm_runner); use one from one thread at a time."""

    def __init__(self, model, threads=1):
        self._lib, self._model = model._lib, model
        self._handle = ctypes.c_void_p()
        model._check(self._lib.edgelstm_runner_create(model._handle, threads, ctypes.byref(self._handle)))
        self._outputs = (ctypes.c_float * model.info.output_size)()

    def probabilities(self, text):
        """A classifier's label probabilities for one text, as Model.probabilities gives them."""
        params = self._lib.edgelstm_run_default_params()
        params.softmax = 1
        count = ctypes.c_size_t()
        self._model._check(self._lib.edgelstm_runner_run_text(self._handle, text.encode(), ctypes.byref(params), self._outputs, len(self._outputs), ctypes.byref(count)))
        return list(self._outputs[: count.value])

    def classify(self, text):
        """(label, probability) of the most likely label, as Model.classify gives them."""
        p = self.probabilities(text)
        best = max(range(len(p)), key=p.__getitem__)
        return self._model.labels[best], p[best]

    def close(self):
        if self._handle:
            self._model._check(self._lib.edgelstm_runner_free(self._handle))
            self._handle = ctypes.c_void_p()

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()
