using System.Runtime.InteropServices;

namespace EdgeLstm.Runtime.Format;

/// <summary>A validated .elstm file in memory (a byte array or a read-only memory map): metadata, tensor directory and views of the tensor data.</summary>
public sealed class ModelFile
{
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly long _dataStart;
    private readonly Dictionary<string, int> _index;

    internal ModelFile(string source, ReadOnlyMemory<byte> bytes, ushort minorVersion, CompactModelMetadata metadata, TensorEntry[] tensors, long dataStart)
    {
        Source = source;
        _bytes = bytes;
        MinorVersion = minorVersion;
        Metadata = metadata;
        Tensors = tensors;
        _dataStart = dataStart;
        _index = new Dictionary<string, int>(tensors.Length, StringComparer.Ordinal);
        for (int i = 0; i < tensors.Length; i++) _index[tensors[i].Name] = i;
    }

    public string Source { get; }
    public ushort MinorVersion { get; }
    public CompactModelMetadata Metadata { get; }
    public IReadOnlyList<TensorEntry> Tensors { get; }
    public long FileLength => _bytes.Length;

    public TensorEntry? Find(string name) => _index.TryGetValue(name, out int i) ? Tensors[i] : null;

    public TensorEntry Require(string name) => Find(name) ?? throw new ModelFormatException($"{Source}: tensor '{name}' is missing");

    public TensorEntry? ScaleOf(TensorEntry entry) => entry.ScaleIndex == ModelFileLayout.NoScale ? null : Tensors[(int)entry.ScaleIndex];

    public ReadOnlySpan<byte> Bytes(TensorEntry entry) => _bytes.Span.Slice((int)(_dataStart + entry.Offset), (int)entry.Length);

    public ReadOnlySpan<float> Floats(TensorEntry entry) => MemoryMarshal.Cast<byte, float>(Bytes(entry));

    public ReadOnlySpan<sbyte> SBytes(TensorEntry entry) => MemoryMarshal.Cast<byte, sbyte>(Bytes(entry));

    /// <summary>Where the tensor's bytes start in the file (for alignment checks and zero-copy use).</summary>
    public long FileOffset(TensorEntry entry) => _dataStart + entry.Offset;
}
