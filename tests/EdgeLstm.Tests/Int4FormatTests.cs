using System.Buffers.Binary;

namespace EdgeLstm.Tests;

/// <summary>Int4 tensors in the file: version 1.2, the per-tensor choice, and malformed sections refused with a typed, one-line error.</summary>
public sealed class Int4FormatTests
{
    private static byte[] Int4File() =>
        CompactModelBuilder.Build(TinyModels.Create(layers: 1, hidden: 32, embedding: 24, seed: 7), WeightType.Int4, blockSparse: false, "none", "t");

    [Fact]
    public void Int4FilesAreVersionOneTwoWithInt4WhereColumnsAllow()
    {
        ModelFile file = ModelFileReader.Parse(Int4File(), "t.elstm");
        Assert.Equal(2, file.MinorVersion);
        Assert.Equal(CompactModelMetadata.WeightsInt4, file.Metadata.Weights);
        Assert.Equal(TensorDType.I8, file.Require("embedding.weight").DType);        // looked up, not multiplied
        Assert.Equal(TensorDType.I8, file.Require("lstm.weight_ih_l0").DType);       // 24 columns: 32 does not divide them
        Assert.Equal(TensorDType.I4, file.Require("lstm.weight_hh_l0").DType);
        Assert.Equal(TensorDType.I4, file.Require("fc.weight").DType);
        // An int8 file stays 1.1 or older: readers of 1.1 read it.
        Assert.True(ModelFileReader.Parse(CompactModelBuilder.Build(TinyModels.Create(), WeightType.Int8, false, "none", "t"), "t.elstm").MinorVersion < 2);
    }

    [Fact]
    public void KeptInt8TensorsStayInt8AndUnknownNamesAreRefused()
    {
        var model = TinyModels.Create(layers: 1, hidden: 32, embedding: 32, seed: 7);
        ModelFile file = ModelFileReader.Parse(CompactModelBuilder.Build(model, WeightType.Int4, false, "none", "t", int8Tensors: ["fc.weight"]), "t.elstm");
        Assert.Equal(TensorDType.I8, file.Require("fc.weight").DType);
        Assert.Equal(TensorDType.I4, file.Require("lstm.weight_ih_l0").DType);
        var e = Assert.Throws<ArgumentException>(() => CompactModelBuilder.Build(model, WeightType.Int4, false, "none", "t", int8Tensors: ["fc.wieght"]));
        Assert.Contains("fc.wieght", e.Message);
    }

    [Fact]
    public void MalformedInt4TensorsFailWithATypedError()
    {
        byte[] good = Int4File();
        ModelFile parsed = ModelFileReader.Parse(good, "t.elstm");
        TensorEntry whh = parsed.Require("lstm.weight_hh_l0");
        long data = parsed.FileOffset(whh);

        // A group multiplier above 63 (row 0, group 0: right after the group's four nibble slots).
        byte[] file = (byte[])good.Clone();
        file[data + 4 * Int4Panels.SlotBytes] = 64;
        ModelFileRehasher.Rehash(file);
        var e = Assert.Throws<ModelFormatException>(() => ModelFileReader.Parse(file, "t.elstm"));
        Assert.Contains("lstm.weight_hh_l0", e.Message);
        Assert.Contains("multiplier 64", e.Message);

        // The dtype byte says I8 while the layout says int4 panels.
        file = (byte[])good.Clone();
        int at = DirectoryEntry(file, parsed, "lstm.weight_hh_l0");
        file[at] = (byte)TensorDType.I8;
        ModelFileRehasher.Rehash(file);
        e = Assert.Throws<ModelFormatException>(() => ModelFileReader.Parse(file, "t.elstm"));
        Assert.Contains("go together", e.Message);

        // Columns not a multiple of 32 (the shape's second dimension, 32 → 48).
        file = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(at + 8 + 8), 48);
        ModelFileRehasher.Rehash(file);
        e = Assert.Throws<ModelFormatException>(() => ModelFileReader.Parse(file, "t.elstm"));
        Assert.Contains("multiple of 32", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    /// <summary>Where a tensor's dtype byte is in the directory (the name's bytes, then dtype, layout, quantization, rank, scale index, shape).</summary>
    private static int DirectoryEntry(byte[] file, ModelFile parsed, string name)
    {
        byte[] needle = [.. BitConverter.GetBytes((ushort)name.Length), .. System.Text.Encoding.UTF8.GetBytes(name)];
        int at = file.AsSpan().IndexOf(needle);
        Assert.True(at > 0);
        return at + needle.Length;
    }
}
