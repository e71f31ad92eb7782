using EdgeLstm.Runtime;

namespace EdgeLstm.Native;

/// <summary>
/// A loaded model behind a C handle; read-only, so any number of sessions on any threads may share it.
/// edgelstm_model_free disposes it; its sessions keep the weights until each is freed (see edgelstm.h).
/// </summary>
internal sealed class NativeModel(ILanguageModel model) : IDisposable
{
    public ILanguageModel Model { get; } = model;

    /// <summary>An .elstm file is memory-mapped (its weights are viewed in place, shared between processes); a safetensors file is read.</summary>
    public static NativeModel FromPath(string path) => new(ModelLoader.Load(path));

    /// <summary>Reads .elstm or float safetensors by the first bytes. The bytes are copied, so the caller may free its buffer.</summary>
    public static NativeModel FromBytes(byte[] bytes, string source) => new(ModelLoader.Load(bytes, source));

    public void Dispose() => Model.Dispose();
}

/// <summary>A session behind a C handle. One thread at a time per session (documented in edgelstm.h).</summary>
internal sealed class NativeSession(NativeModel model, ILanguageModelSession session) : IDisposable
{
    public NativeModel Model { get; } = model;
    public ILanguageModelSession Session { get; } = session;

    public void Dispose() => Session.Dispose();
}
