#!/usr/bin/env python3
"""EdgeLstm from Python through its C ABI (ctypes, no other dependency).

  example.py [--lib libedgelstm.so] info MODEL
  example.py [--lib libedgelstm.so] [--threads 2] classify MODEL TEXT...   label, probability and text, tab-separated
  example.py [--lib libedgelstm.so] generate MODEL PROMPT [N]     greedy text after PROMPT (N tokens, default 80)
  example.py [--lib libedgelstm.so] g2p MODEL WORD...              word and phonemes (beam 5), tab-separated
  example.py [--lib libedgelstm.so] poem MODEL FORM [SEED]          a poem in FORM (jueju5, jueju7, lushi5, lushi7), a couplet a line
  example.py [--lib libedgelstm.so] tag MODEL TEXT...              each text with its punctuation restored
"""
import argparse
import contextlib
import sys

import edgelstm


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lib", help="path of libedgelstm.so (default: $EDGELSTM_LIB, then the loader's search path)")
    parser.add_argument("--threads", type=int, help="classify on a runner (edgelstm_runner) on this many cores, 1 or 2, instead of one call per text")
    parser.add_argument("verb", choices=["info", "classify", "generate", "g2p", "poem", "tag"])
    parser.add_argument("model")
    parser.add_argument("rest", nargs="*")
    args = parser.parse_args()
    try:
        lib = edgelstm.load_library(args.lib)
        with edgelstm.Model(lib, args.model) as model:
            if args.verb == "info":
                i = model.info
                print(f"task {model.task}, {i.layers} layer(s){' bidirectional' if i.bidirectional else ''}, "
                      f"input {i.input_kind.decode()} {i.input_size}, outputs {i.output_size}, labels {model.labels}")
            elif args.verb == "classify":
                with model.runner(args.threads) if args.threads else contextlib.nullcontext(model) as runs:
                    for text in args.rest:
                        label, p = runs.classify(text)
                        print(f"{label}\t{p:.3f}\t{text}")
            elif args.verb == "poem":
                poem = model.write(form=args.rest[0] if args.rest else "jueju5", seed=int(args.rest[1]) if len(args.rest) > 1 else 42)
                for couplet in poem.split("。"):
                    if couplet:
                        print(couplet + "。")
            elif args.verb == "tag":
                for text in args.rest:
                    print(model.tag(text))
            elif args.verb == "g2p":
                for word in args.rest:
                    print(f"{word}\t{model.transduce(word)}")
            else:
                prompt = args.rest[0] if args.rest else "The "
                count = int(args.rest[1]) if len(args.rest) > 1 else 80
                print(prompt + model.generate(prompt, count))
    except edgelstm.EdgeLstmError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
