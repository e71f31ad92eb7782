using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace EdgeLstm.Runtime.Format;

/// <summary>
/// A read-only memory map of a whole file, exposed as <see cref="Memory{T}"/> so the model can view its
/// tensors in place: the weights are never copied onto the managed heap, and the OS shares the pages between
/// processes. The <see cref="ModelFile"/> that references it disposes it when its last holder lets go. No
/// finalizer (CA2015): a span of the mapping may outlive every reference to this object.
/// </summary>
internal sealed unsafe class MappedFileMemory : MemoryManager<byte>
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _pointer;
    private readonly int _length;
    private int _disposed;

    public MappedFileMemory(string path, int length)
    {
        _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        try
        {
            _view = _file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            _pointer = pointer + _view.PointerOffset;
            _length = length;
        }
        catch
        {
            _view?.Dispose();
            _file.Dispose();
            throw;
        }
    }

    // Every tensor view goes through here, so a read after unmapping is an exception, never a fault.
    public override Span<byte> GetSpan() =>
        Volatile.Read(ref _disposed) == 0 ? new(_pointer, _length) : throw new ObjectDisposedException(nameof(MappedFileMemory), "the model file is no longer mapped");

    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
