"""ctypes prototypes of libedgelstm (runtime/include/edgelstm.h, API version 7) and how the library is found.

Private: the public API is in edgelstm/__init__.py. Every prototype here mirrors one declaration of the header; a
function the header does not declare is not bound.
"""
from __future__ import annotations

import ctypes
import os
import platform
from typing import Optional

API_VERSION = 7  # EDGELSTM_API_VERSION of the header these prototypes follow

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_LIBRARY_NAME = "libedgelstm.so"


class ModelInfoStruct(ctypes.Structure):
    """edgelstm_model_info (API 2, forecast fields API 3)."""
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
    """edgelstm_run_params (API 2)."""
    _fields_ = [("struct_size", ctypes.c_size_t), ("max_steps", ctypes.c_int32), ("softmax", ctypes.c_int32)]


class GenerateParams(ctypes.Structure):
    """edgelstm_generate_params (API 4)."""
    _fields_ = [
        ("struct_size", ctypes.c_size_t), ("max_tokens", ctypes.c_int32), ("temperature", ctypes.c_float),
        ("top_k", ctypes.c_int32), ("top_p", ctypes.c_float), ("seed", ctypes.c_uint64), ("form", ctypes.c_char_p),
    ]


_P = ctypes.c_void_p                      # every opaque handle
_PP = ctypes.POINTER(ctypes.c_void_p)     # handle out-parameters
_I32, _PI32 = ctypes.c_int32, ctypes.POINTER(ctypes.c_int32)
_SZ, _PSZ = ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)
_PF = ctypes.POINTER(ctypes.c_float)
_STR = ctypes.c_char_p                    # UTF-8 in; NUL-terminated out buffers are passed as c_char_p too
_INT = ctypes.c_int                       # statuses and int arguments

# name: (argument types, result type), in the header's order.
PROTOTYPES = {
    "edgelstm_api_version": ([], _INT),
    "edgelstm_version": ([], _STR),
    "edgelstm_format_version": ([ctypes.POINTER(_INT), ctypes.POINTER(_INT)], _INT),
    "edgelstm_last_error": ([], _STR),
    "edgelstm_kernel_name": ([], _STR),
    "edgelstm_model_load": ([_STR, _PP], _INT),
    "edgelstm_model_load_memory": ([ctypes.c_void_p, _SZ, _PP], _INT),
    "edgelstm_model_free": ([_P], _INT),
    "edgelstm_model_vocab_size": ([_P, _PI32], _INT),
    "edgelstm_model_encode": ([_P, _STR, _PI32, _SZ, _PSZ], _INT),
    "edgelstm_model_token_text": ([_P, _I32, _STR, _SZ, _PSZ], _INT),
    "edgelstm_model_io_sizes": ([_P, _PSZ, _PSZ], _INT),
    "edgelstm_session_create": ([_P, _INT, _PP], _INT),
    "edgelstm_session_free": ([_P], _INT),
    "edgelstm_session_reset": ([_P], _INT),
    "edgelstm_session_step": ([_P, _I32, _PF, _SZ], _INT),
    "edgelstm_session_step_input": ([_P, _PF, _SZ, _PF, _SZ], _INT),
    "edgelstm_session_state_size": ([_P, _PSZ], _INT),
    "edgelstm_session_get_state": ([_P, _PF, _SZ], _INT),
    "edgelstm_session_set_state": ([_P, _PF, _SZ], _INT),
    "edgelstm_model_get_info": ([_P, ctypes.POINTER(ModelInfoStruct)], _INT),
    "edgelstm_model_label": ([_P, _I32, ctypes.POINTER(_STR)], _INT),
    "edgelstm_run_default_params": ([], RunParams),
    "edgelstm_model_run_tokens": ([_P, _PI32, _SZ, ctypes.POINTER(RunParams), _PF, _SZ, _PSZ], _INT),
    "edgelstm_model_run_text": ([_P, _STR, ctypes.POINTER(RunParams), _PF, _SZ, _PSZ], _INT),
    "edgelstm_model_classify": ([_P, _STR, _PI32, _PF], _INT),
    "edgelstm_model_forecast": ([_P, _STR, _PF, _SZ, _PF, _SZ], _INT),
    "edgelstm_model_transduce": ([_P, _STR, _I32, _STR, _SZ, _PSZ], _INT),
    "edgelstm_generate_default_params": ([], GenerateParams),
    "edgelstm_model_generate": ([_P, _STR, ctypes.POINTER(GenerateParams), _STR, _SZ, _PSZ], _INT),
    "edgelstm_model_tag": ([_P, _STR, _STR, _SZ, _PSZ], _INT),
    "edgelstm_runner_create": ([_P, _INT, _PP], _INT),
    "edgelstm_runner_run_tokens": ([_P, _PI32, _SZ, ctypes.POINTER(RunParams), _PF, _SZ, _PSZ], _INT),
    "edgelstm_runner_run_text": ([_P, _STR, ctypes.POINTER(RunParams), _PF, _SZ, _PSZ], _INT),
    "edgelstm_runner_free": ([_P], _INT),
    "edgelstm_transducer_create": ([_P, _INT, _PP], _INT),
    "edgelstm_transducer_run": ([_P, _STR, _I32, _STR, _SZ, _PSZ], _INT),
    "edgelstm_transducer_free": ([_P], _INT),
    "edgelstm_sampler_create": ([ctypes.c_float, _I32, ctypes.c_float, ctypes.c_uint64, _PP], _INT),
    "edgelstm_sampler_sample": ([_P, _PF, _SZ, _PI32], _INT),
    "edgelstm_sampler_free": ([_P], _INT),
}


def _has_x86_64_v4() -> bool:
    """True on an x64 CPU with x86-64-v4's AVX-512 subset (what glibc's loader checks for glibc-hwcaps/x86-64-v4)."""
    if platform.machine() not in ("x86_64", "AMD64"):
        return False
    try:
        with open("/proc/cpuinfo") as info:
            flags = next((line.split() for line in info if line.startswith("flags")), [])
    except OSError:
        return False
    return all(f in flags for f in ("avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"))


def library_path(path: Optional[str] = None) -> str:
    """Which libedgelstm.so to load: `path`, else $EDGELSTM_LIBRARY (both loaded exactly as given), else the copy in
    the package (edgelstm/lib/), taking edgelstm/lib/glibc-hwcaps/x86-64-v4/ on CPUs with AVX-512 (a library opened
    by path is not searched for, so the loader's own glibc-hwcaps choice does not apply), else the bare name for the
    loader's search path (LD_LIBRARY_PATH, ld.so.cache)."""
    chosen = path or os.environ.get("EDGELSTM_LIBRARY")
    if chosen:
        return chosen
    bundled = os.path.join(_PACKAGE_DIR, "lib", _LIBRARY_NAME)
    if os.path.exists(bundled):
        v4 = os.path.join(_PACKAGE_DIR, "lib", "glibc-hwcaps", "x86-64-v4", _LIBRARY_NAME)
        return v4 if os.path.exists(v4) and _has_x86_64_v4() else bundled
    return _LIBRARY_NAME


def load(path: Optional[str] = None) -> ctypes.CDLL:
    """Opens the library and sets every prototype; raises OSError if it cannot be opened and RuntimeError if it is
    older than API_VERSION."""
    resolved = library_path(path)
    lib = ctypes.CDLL(resolved)
    for name, (args, result) in PROTOTYPES.items():
        function = getattr(lib, name)
        function.argtypes, function.restype = args, result
    version = lib.edgelstm_api_version()
    if version < API_VERSION:
        raise RuntimeError(f"{resolved} implements EdgeLstm API version {version}; this package needs {API_VERSION}")
    lib._edgelstm_path = resolved  # type: ignore[attr-defined]
    return lib
