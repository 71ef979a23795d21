package dev.orch.agents.internal;

import io.a2a.server.ServerCallContext;
import io.a2a.server.requesthandlers.RequestHandler;
import io.a2a.server.tasks.TaskStore;
import io.a2a.spec.DeleteTaskPushNotificationConfigParams;
import io.a2a.spec.EventKind;
import io.a2a.spec.GetTaskPushNotificationConfigParams;
import io.a2a.spec.InternalError;
import io.a2a.spec.JSONRPCError;
import io.a2a.spec.ListTaskPushNotificationConfigParams;
import io.a2a.spec.Message;
import io.a2a.spec.MessageSendParams;
import io.a2a.spec.PushNotificationNotSupportedError;
import io.a2a.spec.StreamingEventKind;
import io.a2a.spec.Task;
import io.a2a.spec.TaskArtifactUpdateEvent;
import io.a2a.spec.TaskIdParams;
import io.a2a.spec.TaskPushNotificationConfig;
import io.a2a.spec.TaskQueryParams;
import io.a2a.spec.TaskStatusUpdateEvent;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * The {@link RequestHandler} of a test agent: the SDK's {@code DefaultRequestHandler} with three changes.
 * <ul>
 *   <li>Every {@code message/send} and {@code message/stream} is checked against the context pins first (SPEC §9:
 *       a given cwd is absolute and matches the context's pin), so a refusal is a JSON-RPC -32602 error and no task
 *       is created.</li>
 *   <li>Push-notification configuration is not offered: those methods throw -32003
 *       (PushNotificationNotSupportedError), as A2A 0.3 defines, not the SDK's generic unsupported-operation.</li>
 *   <li>A blocking {@code message/send} is served from the streaming path and returns when the task is final or
 *       interrupted (input-required / auth-required), however long the backend takes. The SDK's own blocking path
 *       ({@code DefaultRequestHandler.create()}) gives up after 5 s and returns a {@code working} task.</li>
 * </ul>
 * Thread-safe when the delegate is.
 */
public final class AgentRequestHandler implements RequestHandler {
  private final RequestHandler delegate;
  private final TaskStore taskStore;
  private final ContextPins pins;
  private final BooleanSupplier open;

  /**
   * @param delegate the SDK's handler
   * @param taskStore the task store the delegate writes
   * @param pins the context pins shared with the agent executor
   * @param open false once the server is closing (blocking sends then stop waiting)
   */
  public AgentRequestHandler(RequestHandler delegate, TaskStore taskStore, ContextPins pins, BooleanSupplier open) {
    this.delegate = delegate;
    this.taskStore = taskStore;
    this.pins = pins;
    this.open = open;
  }

  @Override
  public Task onGetTask(TaskQueryParams params, ServerCallContext context) throws JSONRPCError {
    return delegate.onGetTask(params, context);
  }

  @Override
  public Task onCancelTask(TaskIdParams params, ServerCallContext context) throws JSONRPCError {
    return delegate.onCancelTask(params, context);
  }

  @Override
  public EventKind onMessageSend(MessageSendParams params, ServerCallContext context) throws JSONRPCError {
    prepare(params);
    if (params.configuration() != null && Boolean.FALSE.equals(params.configuration().blocking())) {
      return delegate.onMessageSend(params, context);
    }
    Flow.Publisher<StreamingEventKind> events = delegate.onMessageSendStream(params, context);
    Collector collector = new Collector();
    events.subscribe(collector);
    try {
      while (!collector.done.await(200, TimeUnit.MILLISECONDS)) {
        if (!open.getAsBoolean()) {
          throw new InternalError("the agent is shutting down");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InternalError("interrupted while waiting for the task");
    }
    Throwable error = collector.error.get();
    if (error != null) {
      throw asJsonRpcError(error);
    }
    String taskId = collector.taskId.get();
    if (taskId != null) {
      Task task = taskStore.get(taskId);
      if (task != null) {
        return task;
      }
    }
    Message message = collector.message.get();
    if (message != null) {
      return message;
    }
    throw new InternalError("the agent produced no result");
  }

  @Override
  public Flow.Publisher<StreamingEventKind> onMessageSendStream(MessageSendParams params, ServerCallContext context)
      throws JSONRPCError {
    prepare(params);
    return delegate.onMessageSendStream(params, context);
  }

  @Override
  public TaskPushNotificationConfig onSetTaskPushNotificationConfig(TaskPushNotificationConfig params,
      ServerCallContext context) throws JSONRPCError {
    throw new PushNotificationNotSupportedError();
  }

  @Override
  public TaskPushNotificationConfig onGetTaskPushNotificationConfig(GetTaskPushNotificationConfigParams params,
      ServerCallContext context) throws JSONRPCError {
    throw new PushNotificationNotSupportedError();
  }

  @Override
  public Flow.Publisher<StreamingEventKind> onResubscribeToTask(TaskIdParams params, ServerCallContext context)
      throws JSONRPCError {
    return delegate.onResubscribeToTask(params, context);
  }

  @Override
  public List<TaskPushNotificationConfig> onListTaskPushNotificationConfig(ListTaskPushNotificationConfigParams params,
      ServerCallContext context) throws JSONRPCError {
    throw new PushNotificationNotSupportedError();
  }

  @Override
  public void onDeleteTaskPushNotificationConfig(DeleteTaskPushNotificationConfigParams params,
      ServerCallContext context) throws JSONRPCError {
    throw new PushNotificationNotSupportedError();
  }

  /** A follow-up naming only its task gets the task's context; then the context pin is checked. */
  private void prepare(MessageSendParams params) {
    Message message = params.message();
    if (message == null) {
      return;
    }
    if (message.getContextId() == null && message.getTaskId() != null) {
      Task task = taskStore.get(message.getTaskId());
      if (task != null) {
        message.setContextId(task.getContextId());
      }
    }
    pins.check(message);
  }

  private static JSONRPCError asJsonRpcError(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof JSONRPCError e) {
        return e;
      }
    }
    return new InternalError(String.valueOf(error.getMessage()));
  }

  /** Records the task id, a direct message reply and an error, until the stream ends. */
  private static final class Collector implements Flow.Subscriber<StreamingEventKind> {
    final CountDownLatch done = new CountDownLatch(1);
    final AtomicReference<String> taskId = new AtomicReference<>();
    final AtomicReference<Message> message = new AtomicReference<>();
    final AtomicReference<Throwable> error = new AtomicReference<>();
    private Flow.Subscription subscription;

    @Override
    public void onSubscribe(Flow.Subscription s) {
      this.subscription = s;
      s.request(1);
    }

    @Override
    public void onNext(StreamingEventKind item) {
      if (item instanceof Task t) {
        taskId.compareAndSet(null, t.getId());
      } else if (item instanceof TaskStatusUpdateEvent e) {
        taskId.compareAndSet(null, e.getTaskId());
      } else if (item instanceof TaskArtifactUpdateEvent e) {
        taskId.compareAndSet(null, e.getTaskId());
      } else if (item instanceof Message m) {
        message.set(m);
      }
      subscription.request(1);
    }

    @Override
    public void onError(Throwable throwable) {
      error.set(throwable);
      done.countDown();
    }

    @Override
    public void onComplete() {
      done.countDown();
    }
  }
}
