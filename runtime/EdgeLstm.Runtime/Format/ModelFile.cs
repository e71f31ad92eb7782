namespace EdgeLstm.Runtime.Format;

/// <summary>
/// A validated .elstm file in memory (a byte array or a read-only memory map): metadata, tensor directory and
/// views of the tensor data. A mapped file is released when its last holder lets go: the file's own reference
/// (<see cref="Dispose"/>, called by the model that owns it) and one per session that reads the weights
/// (<see cref="Retain"/>/<see cref="Release"/>). So a model may be disposed while its sessions run on; they keep
/// the mapping until they are disposed too. Reading a released file throws <see cref="ObjectDisposedException"/>.
/// </summary>
public sealed class ModelFile : IDisposable
{
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly IDisposable? _mapping;
    private readonly long _dataStart;
    private readonly Dictionary<string, int> _index;
    private int _holders = 1;
    private int _disposed;

    internal ModelFile(string source, ReadOnlyMemory<byte> bytes, IDisposable? mapping, ushort minorVersion, CompactModelMetadata metadata, TensorEntry[] tensors, long dataStart)
    {
        Source = source;
        _bytes = bytes;
        _mapping = mapping;
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
    /// <summary>True when the tensor data is a memory map of the file (not a copy on the managed heap).</summary>
    public bool IsMapped => _mapping is not null;

    /// <summary>Adds a holder (a session) that keeps the tensor data alive; pair it with <see cref="Release"/>.</summary>
    public void Retain()
    {
        int holders;
        do
        {
            holders = Volatile.Read(ref _holders);
            if (holders == 0) throw new ObjectDisposedException(Source, $"{Source}: the model was disposed; its weights are no longer mapped");
        } while (Interlocked.CompareExchange(ref _holders, holders + 1, holders) != holders);
    }

    /// <summary>Drops a holder; the last one unmaps the file.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _holders) == 0) _mapping?.Dispose();
    }

    /// <summary>Drops the file's own reference (once): the mapping goes when no session holds it any more.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) Release();
    }

    public TensorEntry? Find(string name) => _index.TryGetValue(name, out int i) ? Tensors[i] : null;

    public TensorEntry Require(string name) => Find(name) ?? throw new ModelFormatException($"{Source}: tensor '{name}' is missing");

    public TensorEntry? ScaleOf(TensorEntry entry) => entry.ScaleIndex == ModelFileLayout.NoScale ? null : Tensors[(int)entry.ScaleIndex];

    public ReadOnlySpan<byte> Bytes(TensorEntry entry) => _bytes.Span.Slice((int)(_dataStart + entry.Offset), (int)entry.Length);

    public ReadOnlySpan<float> Floats(TensorEntry entry) => MemoryMarshal.Cast<byte, float>(Bytes(entry));

    public ReadOnlySpan<sbyte> SBytes(TensorEntry entry) => MemoryMarshal.Cast<byte, sbyte>(Bytes(entry));

    /// <summary>Where the tensor's bytes start in the file (for alignment checks and zero-copy use).</summary>
    public long FileOffset(TensorEntry entry) => _dataStart + entry.Offset;
}
