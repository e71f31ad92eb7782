namespace EdgeLstm.Runtime;

/// <summary>A loaded character language model (float or int8), shared read-only by its sessions.</summary>
public interface ILanguageModel
{
    CharTokenizer Tokenizer { get; }
    ILanguageModelSession CreateSession();
}

/// <summary>One stream of steps through a model; owns the recurrent state. One session per thread.</summary>
public interface ILanguageModelSession
{
    CharTokenizer Tokenizer { get; }
    /// <summary>Feeds one token and returns the logits over the next token (valid until the next call).</summary>
    ReadOnlySpan<float> Step(int token);
    /// <summary>The logits after the last <see cref="Step"/>.</summary>
    ReadOnlySpan<float> Logits { get; }
    /// <summary>Sets the recurrent state to zero, as at the start of a stream.</summary>
    void Reset();

    /// <summary>Floats in the recurrent state (h and c of every layer).</summary>
    int StateLength { get; }
    /// <summary>Copies the recurrent state out (length <see cref="StateLength"/>), layer by layer: h, then c.</summary>
    void SaveState(Span<float> state);
    /// <summary>Replaces the recurrent state with one saved by <see cref="SaveState"/>.</summary>
    void LoadState(ReadOnlySpan<float> state);

    /// <summary>Feeds several tokens and returns the logits after the last; implementations may batch the work.</summary>
    ReadOnlySpan<float> Prefill(ReadOnlySpan<int> tokens)
    {
        foreach (int token in tokens) Step(token);
        return Logits;
    }
}
