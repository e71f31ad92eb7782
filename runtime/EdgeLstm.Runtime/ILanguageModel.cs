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

    /// <summary>Feeds several tokens and returns the logits after the last; implementations may batch the work.</summary>
    ReadOnlySpan<float> Prefill(ReadOnlySpan<int> tokens)
    {
        foreach (int token in tokens) Step(token);
        return Logits;
    }
}
