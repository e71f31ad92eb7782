#!/usr/bin/python3
"""ONNX fixtures for the importer tests, exported by real PyTorch with default `torch.onnx.export` options.

Regenerate (Debian's PyTorch and ONNX: `apt-get install -y python3-torch python3-onnx`; they install for
/usr/bin/python3, not a pyenv python3 earlier on PATH):

    /usr/bin/python3 tests/onnx/make_fixtures.py

For each model NAME it writes, under tests/onnx/fixtures/:
  NAME.onnx              the export (a dynamic sequence axis; weights as initializers)
  NAME.description.json  its EdgeLstm model description (docs/model-description.md): vocabulary, labels, sizes
  NAME.expected.json     {"tokens": [[...], ...], "outputs": [[...], ...]}: PyTorch's outputs on fixed token
                         sequences (batch 1 each), flattened step-major, steps x head size floats (a pooled
                         classifier: head size floats; with "softmax": true they are the graph's probabilities)
                         (a model over pack_padded_sequence takes a second input, lengths: each sequence's own)
Seeds are fixed, so a rerun with the same PyTorch gives the same weights and outputs.
"""
import json
import os
import torch
import torch.nn as nn

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
CHARS = ["\ufffd"] + list("abcdefghijklmnopqrstuvwxyz .,")
WORDS = ["<pad>", "<unk>", "the", "cat", "sat", "on", "mat", "a", "dog", "ran", "."]
TAGS = ["DET", "NOUN", "VERB", "ADP", "PUNCT"]
LABELS = ["negative", "neutral", "positive"]


class CharLm(nn.Module):
    """(a) Embedding -> 2-layer LSTM (batch_first) -> Linear at every step."""

    def __init__(self, E=8, H=16):
        super().__init__()
        self.embedding = nn.Embedding(len(CHARS), E)
        self.lstm = nn.LSTM(E, H, num_layers=2, batch_first=True)
        self.fc = nn.Linear(H, len(CHARS))
        self.batch_first = True
        self.description = {
            "input": {"kind": "tokens", "size": E, "tokenizer": {"kind": "char", "vocabulary": CHARS}},
            "encoder": [{"hidden": H, "bidirectional": False}, {"hidden": H, "bidirectional": False}],
            "head": {"kind": "next-token", "pooling": "none", "size": len(CHARS), "labels": []}}

    def forward(self, tokens):  # [B, T]
        return self.fc(self.lstm(self.embedding(tokens))[0])


class BiTagger(nn.Module):
    """(b) Embedding -> 1-layer bidirectional LSTM (batch_first) -> Linear at every step."""

    def __init__(self, E=8, H=12):
        super().__init__()
        self.embedding = nn.Embedding(len(WORDS), E)
        self.lstm = nn.LSTM(E, H, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(2 * H, len(TAGS))
        self.batch_first = True
        self.description = {
            "input": {"kind": "tokens", "size": E, "tokenizer": {"kind": "word", "lowercase": True, "vocabulary": WORDS}},
            "encoder": [{"hidden": H, "bidirectional": True}],
            "head": {"kind": "tag", "pooling": "none", "size": len(TAGS), "labels": TAGS}}

    def forward(self, tokens):  # [B, T]
        return self.fc(self.lstm(self.embedding(tokens))[0])


class SeqFirstLm(nn.Module):
    """(c) Embedding -> 1-layer forward LSTM with batch_first=False ([T, B] in and out) -> Linear at every step."""

    def __init__(self, E=6, H=10):
        super().__init__()
        self.embedding = nn.Embedding(len(CHARS), E)
        self.lstm = nn.LSTM(E, H)
        self.fc = nn.Linear(H, len(CHARS))
        self.batch_first = False
        self.description = {
            "input": {"kind": "tokens", "size": E, "tokenizer": {"kind": "char", "vocabulary": CHARS}},
            "encoder": [{"hidden": H, "bidirectional": False}],
            "head": {"kind": "next-token", "pooling": "none", "size": len(CHARS), "labels": []}}

    def forward(self, tokens):  # [T, B]
        return self.fc(self.lstm(self.embedding(tokens))[0])


class StackedBiTagger(nn.Module):
    """(d) Embedding -> 2-layer bidirectional LSTM (batch_first=False) -> Linear at every step."""

    def __init__(self, E=8, H=6):
        super().__init__()
        self.embedding = nn.Embedding(len(WORDS), E)
        self.lstm = nn.LSTM(E, H, num_layers=2, bidirectional=True)
        self.fc = nn.Linear(2 * H, len(TAGS))
        self.batch_first = False
        self.description = {
            "input": {"kind": "tokens", "size": E, "tokenizer": {"kind": "word", "lowercase": True, "vocabulary": WORDS}},
            "encoder": [{"hidden": H, "bidirectional": True}, {"hidden": H, "bidirectional": True}],
            "head": {"kind": "tag", "pooling": "none", "size": len(TAGS), "labels": TAGS}}

    def forward(self, tokens):  # [T, B]
        return self.fc(self.lstm(self.embedding(tokens))[0])


def classifier_description(E, H, layers, bidirectional, pooling):
    return {"input": {"kind": "tokens", "size": E, "tokenizer": {"kind": "word", "lowercase": True, "vocabulary": WORDS}},
            "encoder": [{"hidden": H, "bidirectional": bidirectional}] * layers,
            "head": {"kind": "classify", "pooling": pooling, "size": len(LABELS), "labels": LABELS}}


class BiMaxClassifier(nn.Module):
    """(e) Embedding -> bidirectional LSTM (batch_first) -> max over time (torch.max(out, dim=1).values) -> Linear -> Softmax."""

    def __init__(self, E=8, H=6):
        super().__init__()
        self.embedding = nn.Embedding(len(WORDS), E)
        self.lstm = nn.LSTM(E, H, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(2 * H, len(LABELS))
        self.batch_first, self.pooled, self.softmax = True, True, True
        self.description = classifier_description(E, H, 1, True, "max")

    def forward(self, tokens):  # [B, T]
        out = self.lstm(self.embedding(tokens))[0]
        return torch.softmax(self.fc(torch.max(out, dim=1).values), dim=-1)


class LastStepClassifier(nn.Module):
    """(f) Embedding -> forward LSTM (batch_first=False) -> the last step (out[-1]) -> Linear."""

    def __init__(self, E=8, H=10):
        super().__init__()
        self.embedding = nn.Embedding(len(WORDS), E)
        self.lstm = nn.LSTM(E, H)
        self.fc = nn.Linear(H, len(LABELS))
        self.batch_first, self.pooled, self.softmax = False, True, False
        self.description = classifier_description(E, H, 1, False, "last")

    def forward(self, tokens):  # [T, B]
        return self.fc(self.lstm(self.embedding(tokens))[0][-1])


class MeanClassifier(nn.Module):
    """(g) Embedding -> forward LSTM (batch_first) -> mean over time (out.mean(1)) -> Linear."""

    def __init__(self, E=8, H=8):
        super().__init__()
        self.embedding = nn.Embedding(len(WORDS), E)
        self.lstm = nn.LSTM(E, H, batch_first=True)
        self.fc = nn.Linear(H, len(LABELS))
        self.batch_first, self.pooled, self.softmax = True, True, False
        self.description = classifier_description(E, H, 1, False, "mean")

    def forward(self, tokens):  # [B, T]
        return self.fc(self.lstm(self.embedding(tokens))[0].mean(1))


class BiFinalStateClassifier(nn.Module):
    """(h) Embedding -> 2-layer bidirectional LSTM (batch_first) -> cat(h_n[-2], h_n[-1]) (pooling last) -> Linear."""

    def __init__(self, E=8, H=6):
        super().__init__()
        self.embedding = nn.Embedding(len(WORDS), E)
        self.lstm = nn.LSTM(E, H, num_layers=2, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(2 * H, len(LABELS))
        self.batch_first, self.pooled, self.softmax = True, True, False
        self.description = classifier_description(E, H, 2, True, "last")

    def forward(self, tokens):  # [B, T]
        h_n = self.lstm(self.embedding(tokens))[1][0]  # [layers * 2, B, H]
        return self.fc(torch.cat([h_n[-2], h_n[-1]], dim=1))


class ExplicitZeroStateLm(CharLm):
    """(i) CharLm's layers (E 8, H 10) given zero initial states explicitly: h0 sized by the batch (exported as
    ConstantOfShape), c0 a fixed zeros tensor (exported as a Constant, then Expand)."""

    def __init__(self):
        super().__init__(E=8, H=10)

    def forward(self, tokens):  # [B, T]
        h0 = torch.zeros(2, tokens.size(0), self.lstm.hidden_size)
        c0 = torch.zeros(2, 1, self.lstm.hidden_size)
        return self.fc(self.lstm(self.embedding(tokens), (h0, c0))[0])


class PackedBiTagger(nn.Module):
    """(j) Embedding -> pack_padded_sequence(lengths) -> bidirectional LSTM -> pad_packed_sequence -> Linear at every
    step (batch_first): the lengths are a second graph input, the LSTM's sequence_lens."""

    def __init__(self, E=8, H=6):
        super().__init__()
        self.embedding = nn.Embedding(len(WORDS), E)
        self.lstm = nn.LSTM(E, H, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(2 * H, len(TAGS))
        self.batch_first, self.lengths = True, True
        self.description = {
            "input": {"kind": "tokens", "size": E, "tokenizer": {"kind": "word", "lowercase": True, "vocabulary": WORDS}},
            "encoder": [{"hidden": H, "bidirectional": True}],
            "head": {"kind": "tag", "pooling": "none", "size": len(TAGS), "labels": TAGS}}

    def forward(self, tokens, lengths):  # [B, T], [B]
        packed = nn.utils.rnn.pack_padded_sequence(self.embedding(tokens), lengths, batch_first=True)
        out, _ = nn.utils.rnn.pad_packed_sequence(self.lstm(packed)[0], batch_first=True)
        return self.fc(out)


def export(name, model, vocab_size, sequences):
    model.eval()
    axis = 1 if model.batch_first else 0
    shape = lambda seq: (1, len(seq)) if model.batch_first else (len(seq), 1)
    # With lengths (pack_padded_sequence), each sequence is a batch of one given its own length.
    lengths = getattr(model, "lengths", False)
    args = lambda seq: (torch.tensor(seq, dtype=torch.long).reshape(shape(seq)),) + ((torch.tensor([len(seq)]),) if lengths else ())
    path = os.path.join(HERE, name + ".onnx")
    pooled = getattr(model, "pooled", False)  # one output row per sequence: [B, size]
    torch.onnx.export(model, args(sequences[0]), path, input_names=["tokens", "lengths"] if lengths else ["tokens"], output_names=["logits"],
                      dynamic_axes={"tokens": {axis: "steps"}} if pooled else {"tokens": {axis: "steps"}, "logits": {axis: "steps"}})
    outputs = []
    with torch.no_grad():
        for seq in sequences:
            assert all(0 <= t < vocab_size for t in seq)
            y = model(*args(seq))
            y = y[0] if model.batch_first or pooled else y[:, 0]  # [T, size] or [size]
            outputs.append([round(float(v), 8) for v in y.reshape(-1)])
    with open(os.path.join(HERE, name + ".expected.json"), "w") as f:
        expected = {"tokens": sequences, "outputs": outputs}
        if getattr(model, "softmax", False):
            expected["softmax"] = True
        json.dump(expected, f)
    with open(os.path.join(HERE, name + ".description.json"), "w", encoding="utf-8") as f:
        json.dump(model.description, f, ensure_ascii=False)
    print(f"{name}: {os.path.getsize(path):,} bytes")


# Reverse-only LSTMs (direction "reverse", what tf2onnx makes of Keras LSTM(go_backwards=True)): PyTorch cannot make
# one (nn.LSTM is forward or bidirectional), so these graphs are built with onnx.helper from random weights, and
# PyTorch computes their outputs as the oracle: a forward nn.LSTM with the same weights, gates reordered from ONNX's
# i, o, f, c to PyTorch's i, f, g, o, run on the time-reversed input, its outputs reversed back (ONNX's Y is in time
# order; Y_h is the state after reading step 0).

def onnx_direction(gen, inputs, H):
    """One direction's ONNX weights W [1, 4H, in], R [1, 4H, H], B [1, 8H] (gates i, o, f, c), uniform in nn.LSTM's range."""
    u = lambda *shape: (torch.rand(*shape, generator=gen) * 2 - 1) / H ** 0.5
    return u(1, 4 * H, inputs), u(1, 4 * H, H), u(1, 8 * H)


def torch_direction(W, R, B):
    """A forward nn.LSTM holding one ONNX direction's weights: PyTorch's gate k (i, f, g, o) is ONNX's gate (0, 2, 3, 1)[k]."""
    H = R.shape[2]
    order = lambda m: torch.cat([m[g * H:(g + 1) * H] for g in (0, 2, 3, 1)])
    lstm = nn.LSTM(W.shape[2], H)
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(order(W[0]))
        lstm.weight_hh_l0.copy_(order(R[0]))
        lstm.bias_ih_l0.copy_(order(B[0, :4 * H]))
        lstm.bias_hh_l0.copy_(order(B[0, 4 * H:]))
    return lstm.eval()


def run_direction(lstm, x, reverse):
    """x [T, 1, in] → Y [T, 1, H] in time order and Y_h [1, 1, H]; reverse: read from step T-1 down to step 0."""
    y, (h, _) = lstm(x.flip(0) if reverse else x)
    return (y.flip(0) if reverse else y), h


def save_built(name, graph, description, sequences, outputs):
    """Writes a graph built with onnx.helper (opset 13) with its description and PyTorch's outputs, as export() does."""
    import onnx
    model = onnx.helper.make_model(graph, producer_name="make_fixtures.py", opset_imports=[onnx.helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    path = os.path.join(HERE, name + ".onnx")
    onnx.save(model, path)
    with open(os.path.join(HERE, name + ".expected.json"), "w") as f:
        json.dump({"tokens": sequences, "outputs": [[round(float(v), 8) for v in y.reshape(-1)] for y in outputs]}, f)
    with open(os.path.join(HERE, name + ".description.json"), "w", encoding="utf-8") as f:
        json.dump(description, f, ensure_ascii=False)
    print(f"{name}: {os.path.getsize(path):,} bytes")


def build_reverse_fixtures(word_seqs):
    from onnx import TensorProto, helper, numpy_helper
    gen = torch.Generator().manual_seed(3636)  # its own generator: the fixtures above keep their weights
    init = lambda name, t: numpy_helper.from_array(t.numpy(), name)
    tokens_in = helper.make_tensor_value_info("tokens", TensorProto.INT64, ["steps", 1])
    embed = helper.make_node("Gather", ["embedding", "tokens"], ["x0"], axis=0)

    # (k) Embedding -> reverse LSTM (H 10) -> forward LSTM (H 8) -> MatMul + Add at every step (time-first).
    E, H0, H1 = 8, 10, 8
    emb = torch.randn(len(WORDS), E, generator=gen)
    d0, d1 = onnx_direction(gen, E, H0), onnx_direction(gen, H0, H1)
    fc_w, fc_b = torch.randn(H1, len(TAGS), generator=gen) / H1 ** 0.5, torch.randn(len(TAGS), generator=gen) * 0.1
    graph = helper.make_graph([
        embed,
        helper.make_node("LSTM", ["x0", "W0", "R0", "B0"], ["y0"], hidden_size=H0, direction="reverse"),
        helper.make_node("Squeeze", ["y0", "direction_axis"], ["x1"]),
        helper.make_node("LSTM", ["x1", "W1", "R1", "B1"], ["y1"], hidden_size=H1),  # direction forward (the default)
        helper.make_node("Squeeze", ["y1", "direction_axis"], ["x2"]),
        helper.make_node("MatMul", ["x2", "fc_w"], ["product"]),
        helper.make_node("Add", ["product", "fc_b"], ["logits"]),
    ], "reverse_tagger", [tokens_in], [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["steps", 1, len(TAGS)])],
        [init("embedding", emb), init("W0", d0[0]), init("R0", d0[1]), init("B0", d0[2]), init("W1", d1[0]), init("R1", d1[1]), init("B1", d1[2]),
         init("direction_axis", torch.tensor([1])), init("fc_w", fc_w), init("fc_b", fc_b)])
    lstm0, lstm1 = torch_direction(*d0), torch_direction(*d1)
    with torch.no_grad():
        outputs = []
        for seq in word_seqs:
            x = emb[torch.tensor(seq)].unsqueeze(1)  # [T, 1, E]
            y0, _ = run_direction(lstm0, x, reverse=True)
            y1, _ = run_direction(lstm1, y0, reverse=False)
            outputs.append(y1[:, 0] @ fc_w + fc_b)
    save_built("lstm_reverse_tagger", graph, {
        "input": {"kind": "tokens", "size": E, "tokenizer": {"kind": "word", "lowercase": True, "vocabulary": WORDS}},
        "encoder": [{"hidden": H0, "reverse": True}, {"hidden": H1, "bidirectional": False}],
        "head": {"kind": "tag", "pooling": "none", "size": len(TAGS), "labels": TAGS}}, word_seqs, outputs)

    # (l) Embedding -> reverse LSTM (H 6) -> its final state Y_h, squeezed (pooling last: the state after step 0) -> Gemm.
    E, H = 8, 6
    emb = torch.randn(len(WORDS), E, generator=gen)
    d = onnx_direction(gen, E, H)
    fc_w, fc_b = torch.randn(len(LABELS), H, generator=gen) / H ** 0.5, torch.randn(len(LABELS), generator=gen) * 0.1
    graph = helper.make_graph([
        embed,
        helper.make_node("LSTM", ["x0", "W", "R", "B"], ["y", "y_h"], hidden_size=H, direction="reverse"),
        helper.make_node("Squeeze", ["y_h", "direction_axis"], ["final"]),
        helper.make_node("Gemm", ["final", "fc_w", "fc_b"], ["logits"], transB=1),
    ], "reverse_final_state_classifier", [tokens_in], [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, len(LABELS)])],
        [init("embedding", emb), init("W", d[0]), init("R", d[1]), init("B", d[2]), init("direction_axis", torch.tensor([0])),
         init("fc_w", fc_w), init("fc_b", fc_b)])
    lstm = torch_direction(*d)
    with torch.no_grad():
        outputs = [run_direction(lstm, emb[torch.tensor(seq)].unsqueeze(1), reverse=True)[1][0, 0] @ fc_w.T + fc_b for seq in word_seqs]
    save_built("lstm_reverse_final_state_classifier", graph, classifier_description(E, H, 1, False, "last") | {"encoder": [{"hidden": H, "reverse": True}]},
               word_seqs, outputs)


def main():
    os.makedirs(HERE, exist_ok=True)
    torch.manual_seed(36)
    char_seqs = [[8, 5, 12, 12, 15, 27, 23, 15, 18, 12, 4], [1], [3, 1, 20, 27, 29, 28, 0, 7]]
    word_seqs = [[2, 3, 4, 5, 2, 6, 10], [7, 8, 9, 10], [1], [2, 1, 4, 0, 3]]
    export("char_lm_2layer", CharLm(), len(CHARS), char_seqs)
    export("bilstm_tagger", BiTagger(), len(WORDS), word_seqs)
    export("lstm_seq_first", SeqFirstLm(), len(CHARS), char_seqs)
    export("bilstm_2layer_seq_first", StackedBiTagger(), len(WORDS), word_seqs)
    # Pooled classifiers (after the models above, so that their weights stay the same).
    export("bilstm_max_classifier", BiMaxClassifier(), len(WORDS), word_seqs)
    export("lstm_last_classifier", LastStepClassifier(), len(WORDS), word_seqs)
    export("lstm_mean_classifier", MeanClassifier(), len(WORDS), word_seqs)
    export("bilstm_2layer_final_state_classifier", BiFinalStateClassifier(), len(WORDS), word_seqs)
    # The LSTM's optional inputs (after the models above, so that their weights stay the same).
    export("lstm_2layer_explicit_zero_state", ExplicitZeroStateLm(), len(CHARS), char_seqs)
    export("bilstm_packed_tagger", PackedBiTagger(), len(WORDS), word_seqs)
    # Reverse-only LSTMs, built with onnx.helper (PyTorch cannot export one), PyTorch as the oracle.
    build_reverse_fixtures(word_seqs)


if __name__ == "__main__":
    main()
