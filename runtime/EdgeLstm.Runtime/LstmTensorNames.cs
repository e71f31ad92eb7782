namespace EdgeLstm.Runtime;

/// <summary>
/// Tensor names of the float exchange format: what PyTorch's state_dict gives for a module with fields
/// <c>embedding</c> (nn.Embedding), <c>lstm</c> (nn.LSTM) and <c>fc</c> (nn.Linear). See docs/safetensors.md.
/// </summary>
public static class LstmTensorNames
{
    public const string EmbeddingWeight = "embedding.weight";
    public const string HeadWeight = "fc.weight";
    public const string HeadBias = "fc.bias";
    public static string WeightIh(int layer) => $"lstm.weight_ih_l{layer}";
    public static string WeightHh(int layer) => $"lstm.weight_hh_l{layer}";
    public static string BiasIh(int layer) => $"lstm.bias_ih_l{layer}";
    public static string BiasHh(int layer) => $"lstm.bias_hh_l{layer}";
}
