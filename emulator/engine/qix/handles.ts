/** The Doc handle of the (single) app a Cloud websocket opens. Global is always -1. */
export const DOC_HANDLE = 1;
