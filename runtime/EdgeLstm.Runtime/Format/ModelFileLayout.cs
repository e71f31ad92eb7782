namespace EdgeLstm.Runtime.Format;

/// <summary>Constants of the .elstm file format (docs/format.md is the byte-by-byte spec).</summary>
public static class ModelFileLayout
{
    public static ReadOnlySpan<byte> Magic => "EDGELSTM"u8;
    public const ushort MajorVersion = 1;
    /// <summary>
    /// The newest minor version this library reads and writes; a file is 1.1 only if it uses layout 2, 1.2 only if it
    /// has int4 tensors.
    /// </summary>
    public const ushort MinorVersion = 2;
    public const int HeaderSize = 64;
    public const int HeaderChecksumOffset = 56;
    public const int SectionEntrySize = 32;
    public const int MaxSections = 64;
    /// <summary>Tensor data (and the data section) start on 64-byte boundaries: one cache line, one AVX-512 register.</summary>
    public const int Alignment = 64;
    public const uint SectionRequiredFlag = 1;
    public const int MaxRank = 4;
    public const int MaxTensors = 4096;
    public const int MaxNameBytes = 256;
    public const int BlockWidth = 16;
    public const uint NoScale = uint.MaxValue;
}

public enum SectionKind : uint
{
    Metadata = 1,
    TensorDirectory = 2,
    TensorData = 3,
}

public enum TensorDType : byte
{
    F32 = 1,
    I8 = 2,
    /// <summary>Signed 4-bit values in groups of 32 with integer multipliers (format 1.2, layout <see cref="TensorLayout.Int4Panels"/> only).</summary>
    I4 = 3,
}

public enum TensorLayout : byte
{
    /// <summary>Row-major, no padding.</summary>
    Dense = 0,
    /// <summary>Rows of 1×16 int8 blocks; only the kept blocks are stored (docs/format.md).</summary>
    BlockSparse16 = 1,
    /// <summary>
    /// As <see cref="BlockSparse16"/>, with the values on a 64-byte boundary (format 1.1): the kernels read a
    /// pair of blocks as one 32-byte load, and 16-byte-aligned values split half of them across cache lines.
    /// </summary>
    BlockSparse16Aligned = 2,
    /// <summary>An I4 matrix in 64-row blocks of 32-column groups (format 1.2; <see cref="Format.Int4Panels"/>).</summary>
    Int4Panels = 3,
}

public enum TensorQuantization : byte
{
    None = 0,
    /// <summary>value = q · scale[row]; q in [-127, 127]; the scale tensor is F32 of shape [rows].</summary>
    SymmetricPerRow = 1,
    /// <summary>value = q · m[row, group] · scale[row]; q in [-8, 7], m in [0, 63] (stored with q); F32 scale of shape [rows].</summary>
    SymmetricPerRowGroup = 2,
}
