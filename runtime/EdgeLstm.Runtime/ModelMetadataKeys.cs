namespace EdgeLstm.Runtime;

/// <summary>Keys of the safetensors <c>__metadata__</c> map that EdgeLstm reads and writes (docs/safetensors.md).</summary>
public static class ModelMetadataKeys
{
    /// <summary>Files written before the description: "char-lm" for a character language model, "sequence" for a model over float input vectors.</summary>
    public const string Task = "edgelstm.task";
    /// <summary>JSON array of strings, one code point per token id; entry 0 is U+FFFD, the unknown token.</summary>
    public const string Vocabulary = "edgelstm.vocab";
    /// <summary>The model description (<see cref="ModelDescription"/>) as JSON; files without it are read as before (<see cref="DescriptionReader"/>).</summary>
    public const string Model = "edgelstm.model";
    /// <summary>Version of this metadata convention; readers reject a larger major number.</summary>
    public const string FormatVersion = "edgelstm.format_version";
    public const string CurrentFormatVersion = "1";
}
