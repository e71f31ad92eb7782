using EdgeLstm.Runtime;
using EdgeLstm.Runtime.Float;
using EdgeLstm.Runtime.Format;
using EdgeLstm.Runtime.SafeTensors;

namespace EdgeLstm.Native;

/// <summary>A loaded model behind a C handle; read-only, so any number of sessions on any threads may share it.</summary>
internal sealed class NativeModel(ILanguageModel model)
{
    public ILanguageModel Model { get; } = model;

    /// <summary>Reads .elstm or float safetensors by the first bytes. The bytes are copied, so the caller may free its buffer.</summary>
    public static NativeModel FromBytes(byte[] bytes, string source) =>
        new(ModelFileReader.HasMagic(bytes)
            ? CompactModelLoader.Load(ModelFileReader.Parse(bytes, source))
            : FloatLstmModel.FromSafeTensors(SafeTensorsReader.Parse(bytes, source)));
}

/// <summary>A session behind a C handle. One thread at a time per session (documented in edgelstm.h).</summary>
internal sealed class NativeSession(NativeModel model, ILanguageModelSession session)
{
    public NativeModel Model { get; } = model;
    public ILanguageModelSession Session { get; } = session;
}
