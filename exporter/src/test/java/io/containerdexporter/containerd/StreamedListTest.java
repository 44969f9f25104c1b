package io.containerdexporter.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamedListTest {

  @Test
  void theMessagesMappedInOrderOnceTheStreamEnds() throws Exception {
    StreamedList<Integer, String> list = new StreamedList<>(i -> "#" + i);
    Thread transport =
        new Thread(
            () -> {
              for (int i = 0; i < 1000; i++) {
                list.onNext(i);
              }
              list.onCompleted();
            });
    transport.start();

    List<String> items = list.await();

    transport.join();
    assertEquals(1000, items.size());
    assertEquals("#0", items.get(0));
    assertEquals("#999", items.get(999));
  }

  @Test
  void aFailedCallThrowsItsStatusAsTheBlockingStubWould() {
    StreamedList<Integer, Integer> list = new StreamedList<>(i -> i);
    list.onNext(1);
    list.onError(Status.DEADLINE_EXCEEDED.withDescription("deadline").asRuntimeException());

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, list::await);
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
    assertEquals("deadline", e.getStatus().getDescription());
  }

  @Test
  void anInterruptedWaitIsCancelledAndKeepsTheInterrupt() {
    StreamedList<Integer, Integer> list = new StreamedList<>(i -> i);
    Thread.currentThread().interrupt();
    try {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, list::await);
      assertEquals(Status.Code.CANCELLED, e.getStatus().getCode());
      assertTrue(Thread.currentThread().isInterrupted());
    } finally {
      Thread.interrupted();
    }
  }
}
