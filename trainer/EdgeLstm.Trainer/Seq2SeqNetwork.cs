namespace EdgeLstm.Trainer;

/// <summary>
/// The attention decoder head of <see cref="DecoderDescription"/> over a bidirectional encoder of tokens: the
/// bridge from the encoder's final outputs to the decoder's h₀, an nn.LSTM over the previous output tokens'
/// embeddings, general attention over the encoder outputs, tanh(W_c [context; h]) and fc. Teacher forcing runs
/// the decoder over a whole target at once (no input feeding, so it needs no step loop); decoding steps it.
/// </summary>
public sealed class Seq2SeqNetwork : TaskNetwork
{
    private readonly Linear bridge;
    private readonly Embedding decoderEmbedding;
    private readonly LSTM decoderLstm;
    private readonly Linear attention;
    private readonly Linear attentionOut;
    private readonly Linear fc;

    public Seq2SeqNetwork(ModelDescription description, double dropout) : base(description, dropout)
    {
        if (description.Head.Decoder is not { } decoder || !description.Encoder[^1].Bidirectional)
            throw new ArgumentException($"a '{description.Task}' description, not an attention decoder over a bidirectional encoder");
        int width = description.EncoderWidth;
        bridge = Add(ModelTensors.BridgeModule, nn.Linear(width, decoder.Hidden));
        decoderEmbedding = Add(ModelTensors.DecoderEmbeddingModule, nn.Embedding(description.Head.Size, decoder.Embedding, padding_idx: DecoderDescription.PadId));
        decoderLstm = Add(ModelTensors.DecoderLstmModule, nn.LSTM(decoder.Embedding, decoder.Hidden, batchFirst: true));
        attention = Add(ModelTensors.AttentionModule, nn.Linear(width, decoder.Hidden, hasBias: false));
        attentionOut = Add(ModelTensors.AttentionOutModule, nn.Linear(width + decoder.Hidden, decoder.Hidden, hasBias: false));
        fc = Add(ModelTensors.HeadModule, nn.Linear(decoder.Hidden, description.Head.Size));
    }

    /// <summary>The encoder's outputs [B, T, 2H] (zeros past each length), the attention keys W_a E, the mask [B, T] and the decoder's first state.</summary>
    public (Tensor Outputs, Tensor Keys, Tensor Mask, (Tensor H, Tensor C) State) Encode(Tensor tokens, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        var (outputs, h, mask) = EncodePadded(tokens, lengths);
        // The top layer's forward state after each word's last letter and the reverse one after its first.
        var h0 = bridge.call(LastState(h)).tanh().unsqueeze(0);
        var c0 = zeros_like(h0);
        return (outputs.MoveToOuterDisposeScope(), attention.call(outputs).MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope(),
            (h0.MoveToOuterDisposeScope(), c0.MoveToOuterDisposeScope()));
    }

    /// <summary>Decoder over previous tokens [B, U] from a state → logits [B, U, V] and the state after.</summary>
    public (Tensor Logits, (Tensor H, Tensor C) State) Decode(Tensor previous, (Tensor H, Tensor C) state, Tensor outputs, Tensor keys, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var (d, h, c) = decoderLstm.call(Drop(decoderEmbedding.call(previous)), state);
        var scores = d.bmm(keys.transpose(1, 2)).masked_fill(mask.logical_not().unsqueeze(1), float.NegativeInfinity); // [B, U, T]
        var context = scores.softmax(2).bmm(outputs);                                                                // [B, U, 2H]
        var mixed = attentionOut.call(cat([context, d], 2)).tanh();
        var logits = fc.call(Drop(mixed));
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
        for (int step = 0; step < Description.Head.Decoder!.MaxSteps && done.Contains(false); step++)
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
