namespace EdgeLstm.Runtime;

/// <summary>
/// What a model does, decided once from its description (<see cref="ModelDescription.Kind"/>): the CLI's verbs, the
/// C ABI, the converter's metrics and the evaluators switch on this instead of each re-reading the input and head.
/// </summary>
public enum ModelTask
{
    /// <summary>Next token at every step (characters or words): generate, bits per character or word.</summary>
    LanguageModel,
    /// <summary>One label per text from a pooled encoder.</summary>
    Classifier,
    /// <summary>One label per token.</summary>
    Tagger,
    /// <summary>A daily series' next days (input.series).</summary>
    Forecaster,
    /// <summary>An output sequence through an attention decoder (grapheme to phoneme).</summary>
    Transducer,
    /// <summary>Float outputs, at every step or pooled, with no task-specific reading.</summary>
    Regressor,
}
