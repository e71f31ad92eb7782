namespace EdgeLstm.Runtime;

/// <summary>Writes a file through a temporary sibling and a rename, so readers never see half a file.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text));

    /// <summary>Writes <paramref name="bytes"/>; an existing file is replaced only when <paramref name="overwrite"/> is set.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes, bool overwrite = true)
    {
        if (!overwrite && File.Exists(path))
            throw new IOException($"{path} exists; pass --force to overwrite it");
        string temp = path + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
