using EdgeLstm.Runtime;
using EdgeLstm.Runtime.Float;
using EdgeLstm.Runtime.Format;
using EdgeLstm.Runtime.SafeTensors;

namespace EdgeLstm.Native;

/// <summary>A loaded model behind a C handle; read-only, so any number of sessions on any threads may share it.</summary>
internal sealed class NativeModel(ILanguageModel model)
{
    public ILanguageModel Model { get; } = model;

    /// <summary>An .elstm file is memory-mapped (its weights are viewed in place, shared between processes); a safetensors file is read.</summary>
    public static NativeModel FromPath(string path)
    {
        var prefix = new byte[ModelFileLayout.Magic.Length];
        int read;
        using (var stream = File.OpenRead(path)) read = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        return ModelFileReader.HasMagic(prefix.AsSpan(0, read))
            ? new(CompactModelLoader.Load(ModelFileReader.Read(path)))
            : FromBytes(File.ReadAllBytes(path), Path.GetFileName(path));
    }

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
