namespace EdgeLstm.Native;

/// <summary>
/// Runs an export body, turning every exception into a status code and a per-thread message: no exception
/// ever crosses the C boundary. The message stays valid until the thread's next failing call.
/// </summary>
internal static unsafe class NativeErrors
{
    [ThreadStatic] private static byte* _message;

    public static int Guard(Func<NativeStatus> body)
    {
        try
        {
            return (int)body();
        }
        catch (Exception e) { return Fail(e); }
    }

    /// <summary>The status and message of an exception; also for exports that catch themselves to avoid Guard's closure on a hot path.</summary>
    public static int Fail(Exception exception) => exception switch
    {
        NativeException e => Fail(e.Status, e.Message),
        ModelFormatException e => Fail(NativeStatus.InvalidModel, e.Message),
        ObjectDisposedException e => Fail(NativeStatus.InvalidHandle, e.Message), // a model freed on another thread meanwhile
        FileNotFoundException e => Fail(NativeStatus.FileNotFound, e.Message),
        IOException e => Fail(NativeStatus.FileNotFound, e.Message),
        UnauthorizedAccessException e => Fail(NativeStatus.FileNotFound, e.Message),
        ArgumentException e => Fail(NativeStatus.InvalidArgument, e.Message),
        NotSupportedException e => Fail(NativeStatus.Unsupported, e.Message),
        _ => Fail(NativeStatus.Internal, $"internal error: {exception.GetType().Name}: {exception.Message}"),
    };

    public static int Fail(NativeStatus status, string message)
    {
        if (_message != null) NativeMemory.Free(_message);
        byte[] utf8 = Encoding.UTF8.GetBytes(message.Replace('\n', ' '));
        _message = (byte*)NativeMemory.Alloc((nuint)utf8.Length + 1);
        utf8.CopyTo(new Span<byte>(_message, utf8.Length));
        _message[utf8.Length] = 0;
        return (int)status;
    }

    public static byte* LastMessage => _message;
}

/// <summary>A failure with a specific status code.</summary>
internal sealed class NativeException(NativeStatus status, string message) : Exception(message)
{
    public NativeStatus Status { get; } = status;
}
