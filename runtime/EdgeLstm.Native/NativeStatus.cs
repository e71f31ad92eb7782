namespace EdgeLstm.Native;

/// <summary>Status codes of the C ABI (edgelstm_status in include/edgelstm.h).</summary>
internal enum NativeStatus
{
    Ok = 0,
    InvalidArgument = 1,
    InvalidHandle = 2,
    FileNotFound = 3,
    InvalidModel = 4,
    BufferTooSmall = 5,
    Unsupported = 6,
    Internal = 7,
}
