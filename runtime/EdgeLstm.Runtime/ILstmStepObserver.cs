namespace EdgeLstm.Runtime;

/// <summary>
/// Sees inside a float session's step (<see cref="Float.FloatLstmSession.Observer"/>): after each layer steps, its
/// gate activations and new state. For inspection tools; a session without an observer pays one null check per
/// layer and step, and the recurrence itself is unchanged.
/// </summary>
public interface ILstmStepObserver
{
    /// <param name="layer">0 for the first layer.</param>
    /// <param name="gates">After activation: input i, forget f, candidate g, output o gates, H values each, in that order.</param>
    /// <param name="h">The layer's new hidden state (H values).</param>
    /// <param name="c">The layer's new cell state (H values).</param>
    /// <remarks>The spans are the session's own buffers, valid only during the call.</remarks>
    void OnLayerStep(int layer, ReadOnlySpan<float> gates, ReadOnlySpan<float> h, ReadOnlySpan<float> c);
}
