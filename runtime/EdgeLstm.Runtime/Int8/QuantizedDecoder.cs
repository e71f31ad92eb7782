namespace EdgeLstm.Runtime.Int8;

/// <summary>The int8 weights of a sequence-to-sequence decoder (<see cref="DecoderDescription"/>), viewed in the model's file.</summary>
public sealed record QuantizedDecoder(Int8Matrix Bridge, float[] BridgeBias, Int8Matrix Embedding, QuantizedLstmLayer Layer, Int8Matrix Attention, Int8Matrix AttentionOut);
