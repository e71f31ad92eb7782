#!/usr/bin/python3
"""ONNX fixtures for the importer tests, exported by real PyTorch with default `torch.onnx.export` options.

Regenerate (Debian's PyTorch and ONNX: `apt-get install -y python3-torch python3-onnx`; they install for
/usr/bin/python3, not a pyenv python3 earlier on PATH):

    /usr/bin/python3 tests/onnx/make_fixtures.py

For each model NAME it writes, under tests/onnx/fixtures/:
  NAME.onnx              the export (a dynamic sequence axis; weights as initializers)
  NAME.description.json  its EdgeLstm model description (docs/model-description.md): vocabulary, labels, sizes
  NAME.expected.json     {"tokens": [[...], ...], "outputs": [[...], ...]}: PyTorch's outputs on fixed token
                         sequences (batch 1 each), flattened step-major, steps x head size floats
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


def export(name, model, vocab_size, sequences):
    model.eval()
    axis = 1 if model.batch_first else 0
    shape = lambda seq: (1, len(seq)) if model.batch_first else (len(seq), 1)
    example = torch.tensor(sequences[0], dtype=torch.long).reshape(shape(sequences[0]))
    path = os.path.join(HERE, name + ".onnx")
    torch.onnx.export(model, (example,), path, input_names=["tokens"], output_names=["logits"],
                      dynamic_axes={"tokens": {axis: "steps"}, "logits": {axis: "steps"}})
    outputs = []
    with torch.no_grad():
        for seq in sequences:
            assert all(0 <= t < vocab_size for t in seq)
            y = model(torch.tensor(seq, dtype=torch.long).reshape(shape(seq)))
            y = y[0] if model.batch_first else y[:, 0]  # [T, size]
            outputs.append([round(float(v), 8) for v in y.reshape(-1)])
    with open(os.path.join(HERE, name + ".expected.json"), "w") as f:
        json.dump({"tokens": sequences, "outputs": outputs}, f)
    with open(os.path.join(HERE, name + ".description.json"), "w", encoding="utf-8") as f:
        json.dump(model.description, f, ensure_ascii=False)
    print(f"{name}: {os.path.getsize(path):,} bytes")


def main():
    os.makedirs(HERE, exist_ok=True)
    torch.manual_seed(36)
    char_seqs = [[8, 5, 12, 12, 15, 27, 23, 15, 18, 12, 4], [1], [3, 1, 20, 27, 29, 28, 0, 7]]
    word_seqs = [[2, 3, 4, 5, 2, 6, 10], [7, 8, 9, 10], [1], [2, 1, 4, 0, 3]]
    export("char_lm_2layer", CharLm(), len(CHARS), char_seqs)
    export("bilstm_tagger", BiTagger(), len(WORDS), word_seqs)
    export("lstm_seq_first", SeqFirstLm(), len(CHARS), char_seqs)
    export("bilstm_2layer_seq_first", StackedBiTagger(), len(WORDS), word_seqs)


if __name__ == "__main__":
    main()
