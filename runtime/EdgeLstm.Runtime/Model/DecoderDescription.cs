using System.Text.Json.Serialization;

namespace EdgeLstm.Runtime;

/// <summary>
/// The decoder of a sequence-to-sequence model (head kind <c>attention-decoder</c>), Luong-style global attention:
/// the decoder LSTM starts from h₀ = tanh(bridge · [the encoder's last forward output, its first reverse output]),
/// c₀ = 0; each step reads the embedding of the previous output token, attends over the encoder outputs E with
/// scores h·(W_a E_i) (<c>general</c>), mixes the context and h as tanh(W_c [context; h]) and scores the output
/// tokens (the head's labels: <c>&lt;pad&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>, then the symbols).
/// Tensor names: bridge.*, decoder_embedding.weight, decoder_lstm.*, attention.weight, attention_out.weight, fc.*.
/// </summary>
public sealed record DecoderDescription
{
    [JsonPropertyName("embedding")] public required int Embedding { get; init; }
    [JsonPropertyName("hidden")] public required int Hidden { get; init; }
    /// <summary>The attention score: "general" (h · W_a E_i).</summary>
    [JsonPropertyName("attention")] public string Attention { get; init; } = AttentionKinds.General;
    /// <summary>Decoding stops after this many output tokens if no &lt;/s&gt; came.</summary>
    [JsonPropertyName("max_steps")] public required int MaxSteps { get; init; }

    public const int PadId = 0, StartId = 1, EndId = 2;
}

public static class AttentionKinds
{
    public const string General = "general";
}
