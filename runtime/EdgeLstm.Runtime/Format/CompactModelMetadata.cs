using System.Text.Json.Serialization;

namespace EdgeLstm.Runtime.Format;

/// <summary>The metadata section of an .elstm file: UTF-8 JSON with these fields (snake_case).</summary>
public sealed record CompactModelMetadata
{
    /// <summary>The model description; absent in files written before it existed (their task, vocabulary and sizes describe them).</summary>
    [JsonPropertyName("model")] public ModelDescription? Model { get; init; }
    [JsonPropertyName("task")] public string? Task { get; init; } = Tasks.CharLm;
    /// <summary>Rows of the output layer: the vocabulary size ("char-lm"), the output size ("sequence").</summary>
    [JsonPropertyName("vocab_size")] public int? VocabularySize { get; init; }
    /// <summary>Width of layer 0's input: the embedding size ("char-lm"), the input vector size ("sequence").</summary>
    [JsonPropertyName("embedding_dim")] public int? EmbeddingDim { get; init; }
    [JsonPropertyName("hidden_sizes")] public int[]? HiddenSizes { get; init; }
    /// <summary>One code point per token id; entry 0 is U+FFFD, the unknown token. Empty for "sequence" models.</summary>
    [JsonPropertyName("vocabulary")] public string[]? Vocabulary { get; init; }
    /// <summary>"f32" or "int8-symmetric-per-row".</summary>
    [JsonPropertyName("weights")] public string Weights { get; init; } = "f32";
    /// <summary>"none" (f32), "dynamic-per-step" (int8: each input vector scaled by its own max |x| / 127) or "static-per-layer".</summary>
    [JsonPropertyName("activations")] public string Activations { get; init; } = "none";
    [JsonPropertyName("pruning")] public string Pruning { get; init; } = "none";
    /// <summary>
    /// 7 when every int8 matrix the kernels multiply (not the embeddings) holds |q| ≤ 63 (<c>edgelstm-dev convert
    /// --weight-bits 7</c>); absent (null) for full 8-bit weights. Checked on load.
    /// </summary>
    [JsonPropertyName("weight_bits")] public int? WeightBits { get; init; }
    [JsonPropertyName("producer")] public string Producer { get; init; } = "";
    [JsonPropertyName("producer_version")] public string ProducerVersion { get; init; } = "";
    [JsonPropertyName("source")] public string Source { get; init; } = "";

    public const string WeightsF32 = "f32";
    public const string WeightsInt8 = "int8-symmetric-per-row";
    /// <summary>As int8, with the multiplied matrices whose columns 32 divides in int4 (format 1.2); each tensor's dtype says which.</summary>
    public const string WeightsInt4 = "int4-symmetric-per-group";
    public const string ActivationsNone = "none";
    public const string ActivationsDynamic = "dynamic-per-step";
    /// <summary>Each layer's h quantized with a fixed scale from calibration text (tensor <c>lstm.h_scales</c>).</summary>
    public const string ActivationsStatic = "static-per-layer";
}
