namespace EdgeLstm.Runtime;

/// <summary>A model file that cannot be used: the message names the file, the field and what was expected.</summary>
public sealed class ModelFormatException(string message) : Exception(message);
