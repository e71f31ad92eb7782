namespace EdgeLstm.Runtime.Int8;

/// <summary>The int8 weights of a sequence-to-sequence decoder (<see cref="DecoderDescription"/>), viewed in the model's file.</summary>
public sealed record QuantizedDecoder(QuantizedMatrix Bridge, float[] BridgeBias, QuantizedMatrix Embedding, QuantizedLstmLayer Layer, QuantizedMatrix Attention, QuantizedMatrix AttentionOut);
