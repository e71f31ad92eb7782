namespace EdgeLstm.Runtime;

/// <summary>
/// A model file that cannot be used: the message names the file, the field and what was expected. It is
/// always one line: control characters (which can come from a corrupt file's own bytes) become spaces.
/// </summary>
public sealed class ModelFormatException(string message) : Exception(OneLine(message))
{
    private static string OneLine(string message)
    {
        if (!message.Any(char.IsControl)) return message;
        return string.Create(message.Length, message, (span, text) =>
        {
            for (int i = 0; i < text.Length; i++) span[i] = char.IsControl(text[i]) ? ' ' : text[i];
        });
    }
}
