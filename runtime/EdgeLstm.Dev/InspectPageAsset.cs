namespace EdgeLstm.Cli;

/// <summary>
/// The inspect page's HTML, CSS and JavaScript (InspectPage/*), embedded in the executable as resources so they are
/// edited as web files, not as C# strings.
/// </summary>
internal static class InspectPageAsset
{
    public static string Read(string name)
    {
        using Stream stream = typeof(InspectPageAsset).Assembly.GetManifestResourceStream("InspectPage/" + name)
            ?? throw new InvalidOperationException($"the inspect page asset '{name}' is not embedded in this build"); // a build error, not a user's
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
