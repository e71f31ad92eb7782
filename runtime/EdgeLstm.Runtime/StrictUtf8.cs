using System.Buffers;
using System.Text.Unicode;

namespace EdgeLstm.Runtime;

/// <summary>
/// UTF-8 decoding that refuses invalid bytes instead of replacing them with U+FFFD, so a caller learns that its
/// text is broken and where, rather than a model reporting an unknown character.
/// </summary>
public static class StrictUtf8
{
    /// <summary>Decodes <paramref name="bytes"/>; throws <see cref="ArgumentException"/> naming <paramref name="what"/> and the first bad byte's offset.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string what) => Decode(bytes, what, offset: 0);

    /// <summary>A whole text file, strictly decoded; a leading byte-order mark is dropped, as File.ReadAllText does.</summary>
    public static string ReadFile(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int start = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        return Decode(bytes.AsSpan(start), path, start);
    }

    private static string Decode(ReadOnlySpan<byte> bytes, string what, int offset)
    {
        char[] chars = new char[bytes.Length];
        OperationStatus status = Utf8.ToUtf16(bytes, chars, out int read, out int written, replaceInvalidSequences: false);
        if (status != OperationStatus.Done)
            throw new ArgumentException($"{what} is not valid UTF-8 at byte {offset + read} (0x{bytes[read]:X2})");
        return new string(chars, 0, written);
    }
}
