using EdgeLstm.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EdgeLstm.Trainer;

/// <summary>The architecture of an encoder–decoder with attention, as its model description states it.</summary>
public sealed record Seq2SeqShape(int InputVocabulary, int OutputVocabulary, int EmbeddingDim, int EncoderHidden, int EncoderLayers,
    int DecoderEmbedding, int DecoderHidden, double Dropout, int MaxOutputSteps);

/// <summary>
/// Grapheme embedding → bidirectional nn.LSTM (packed) → the decoder of <see cref="DecoderDescription"/>: the bridge
/// from the encoder's final outputs to the decoder's h₀, an nn.LSTM over the previous output tokens' embeddings,
/// general attention over the encoder outputs, tanh(W_c [context; h]) and the output layer. Teacher forcing runs
/// the decoder over a whole target at once (no input feeding, so it needs no step loop); decoding steps it.
/// Field names are the state_dict prefixes of the description's tensors.
/// </summary>
public sealed class Seq2SeqNetwork : nn.Module
{
    private readonly Embedding embedding;
    private readonly LSTM lstm;
    private readonly Linear bridge;
    private readonly Embedding decoder_embedding;
    private readonly LSTM decoder_lstm;
    private readonly Linear attention;
    private readonly Linear attention_out;
    private readonly Dropout drop;
    private readonly Linear fc;

    public Seq2SeqNetwork(Seq2SeqShape shape) : base(nameof(Seq2SeqNetwork))
    {
        Shape = shape;
        int width = 2 * shape.EncoderHidden;
        embedding = nn.Embedding(shape.InputVocabulary, shape.EmbeddingDim);
        lstm = nn.LSTM(shape.EmbeddingDim, shape.EncoderHidden, numLayers: shape.EncoderLayers, batchFirst: true,
            dropout: shape.EncoderLayers > 1 ? shape.Dropout : 0.0, bidirectional: true);
        bridge = nn.Linear(width, shape.DecoderHidden);
        decoder_embedding = nn.Embedding(shape.OutputVocabulary, shape.DecoderEmbedding, padding_idx: DecoderDescription.PadId);
        decoder_lstm = nn.LSTM(shape.DecoderEmbedding, shape.DecoderHidden, batchFirst: true);
        attention = nn.Linear(width, shape.DecoderHidden, hasBias: false);
        attention_out = nn.Linear(width + shape.DecoderHidden, shape.DecoderHidden, hasBias: false);
        drop = nn.Dropout(shape.Dropout);
        fc = nn.Linear(shape.DecoderHidden, shape.OutputVocabulary);
        RegisterComponents();
    }

    public Seq2SeqShape Shape { get; }

    /// <summary>The encoder's outputs [B, T, 2H] (zeros past each length), the attention keys W_a E, the mask [B, T] and the decoder's first state.</summary>
    public (Tensor Outputs, Tensor Keys, Tensor Mask, (Tensor H, Tensor C) State) Encode(Tensor tokens, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        var x = drop.call(embedding.call(tokens));
        var packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first: true, enforce_sorted: false);
        var (outputPacked, h, _) = lstm.call(packed);
        var (outputs, _) = nn.utils.rnn.pad_packed_sequence(outputPacked, batch_first: true);
        outputPacked.Dispose();
        long steps = outputs.shape[1];
        var mask = arange(steps).unsqueeze(0).lt(lengths.unsqueeze(1));
        // h[-2] is the top layer's forward state after each word's last letter, h[-1] the reverse one after its first.
        var h0 = bridge.call(cat([h[-2], h[-1]], 1)).tanh().unsqueeze(0);
        var c0 = zeros_like(h0);
        return (outputs.MoveToOuterDisposeScope(), attention.call(outputs).MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope(),
            (h0.MoveToOuterDisposeScope(), c0.MoveToOuterDisposeScope()));
    }

    /// <summary>Decoder over previous tokens [B, U] from a state → logits [B, U, V] and the state after.</summary>
    public (Tensor Logits, (Tensor H, Tensor C) State) Decode(Tensor previous, (Tensor H, Tensor C) state, Tensor outputs, Tensor keys, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var (d, h, c) = decoder_lstm.call(drop.call(decoder_embedding.call(previous)), state);
        var scores = d.bmm(keys.transpose(1, 2)).masked_fill(mask.logical_not().unsqueeze(1), float.NegativeInfinity); // [B, U, T]
        var context = scores.softmax(2).bmm(outputs);                                                                // [B, U, 2H]
        var mixed = attention_out.call(cat([context, d], 2)).tanh();
        var logits = fc.call(drop.call(mixed));
        return (logits.MoveToOuterDisposeScope(), (h.MoveToOuterDisposeScope(), c.MoveToOuterDisposeScope()));
    }

    /// <summary>Teacher forcing: tokens [B, T] with lengths, previous output tokens [B, U] → logits [B, U, V].</summary>
    public Tensor Forward(Tensor tokens, Tensor lengths, Tensor previous)
    {
        using var scope = NewDisposeScope();
        var (outputs, keys, mask, state) = Encode(tokens, lengths);
        return Decode(previous, state, outputs, keys, mask).Logits.MoveToOuterDisposeScope();
    }

    /// <summary>Greedy decoding of a batch: the output ids of each word, without &lt;s&gt; and &lt;/s&gt;.</summary>
    public int[][] Greedy(Tensor tokens, Tensor lengths)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (outputs, keys, mask, state) = Encode(tokens, lengths);
        long batch = tokens.shape[0];
        var previous = full(batch, 1, DecoderDescription.StartId, ScalarType.Int64);
        var results = Enumerable.Range(0, (int)batch).Select(_ => new List<int>()).ToArray();
        var done = new bool[batch];
        for (int step = 0; step < Shape.MaxOutputSteps && done.Contains(false); step++)
        {
            var (logits, next) = Decode(previous, state, outputs, keys, mask);
            state = next;
            logits[.., .., ..(DecoderDescription.EndId)] = float.NegativeInfinity; // never <pad> or <s>, as the runtime's search
            previous = logits.argmax(2);
            long[] ids = previous.data<long>().ToArray();
            for (int b = 0; b < batch; b++)
            {
                if (done[b]) continue;
                if (ids[b] == DecoderDescription.EndId) done[b] = true;
                else results[b].Add((int)ids[b]);
            }
        }
        return results.Select(r => r.ToArray()).ToArray();
    }
}
