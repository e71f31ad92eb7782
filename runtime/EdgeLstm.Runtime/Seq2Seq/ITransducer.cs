namespace EdgeLstm.Runtime;

/// <summary>
/// Turns an input token sequence into an output token sequence with a sequence-to-sequence model: greedy (beam
/// width 1) or beam search. Buffers are allocated when it is made: a decoder step allocates nothing. Not
/// thread-safe: one per thread. Dispose it to let go of the model's weights.
/// </summary>
public interface ITransducer : IDisposable
{
    ModelDescription Description { get; }
    /// <summary>The widest beam this transducer was made for.</summary>
    int MaxBeam { get; }

    /// <summary>
    /// Writes the output token ids (indexes into the head's labels, without &lt;s&gt; and &lt;/s&gt;) to
    /// <paramref name="output"/> and returns how many. Beam search keeps <paramref name="beamWidth"/> hypotheses and
    /// ranks the finished ones by log-probability divided by their length (with &lt;/s&gt;).
    /// </summary>
    int Transduce(ReadOnlySpan<int> tokens, int beamWidth, Span<int> output);
}

/// <summary>
/// One precision's attention decoder over up to <see cref="MaxStreams"/> hypotheses (streams): the part of a
/// sequence-to-sequence model that <see cref="BeamSearchTransducer"/> drives, open for other searches.
/// </summary>
public interface IAttentionDecoder : IDisposable
{
    int MaxStreams { get; }
    int Vocabulary { get; }
    /// <summary>Runs the encoder over <paramref name="tokens"/>, computes the attention keys, and sets stream 0 to the decoder's first state.</summary>
    void Begin(ReadOnlySpan<int> tokens);
    /// <summary>One decoder step of streams 0..n−1, each fed its previous output token; writes n × Vocabulary logits.</summary>
    void Step(ReadOnlySpan<int> previous, Span<float> logits);
    /// <summary>Stream i takes the state of stream parents[i] (for i &lt; parents.Length).</summary>
    void Reorder(ReadOnlySpan<int> parents);
}
