package dev.orch.mcp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.OrchException;
import io.modelcontextprotocol.server.McpAsyncServerExchange;
import io.modelcontextprotocol.server.McpServerFeatures.AsyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.ToolAnnotations;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Runs one tool call (SPEC §2): validates the arguments against the input schema and the extra rules, calls the
 * binding, and renders the payload; every failure becomes an {@code isError} result, never a JSON-RPC error.
 *
 * <p>Error texts: {@code Invalid arguments for tool <name>: <path>: <rule>; ...} for bad arguments (schema, the
 * binding's rules and {@link NameRules}), and {@link ToolErrors#text} for failures: {@code Error: <message>} for an
 * {@link OrchException} a user can act on, a stable text with an incident id (the details logged on stderr) for store,
 * backend and unexpected failures. Answers never carry stack traces, class names or server paths.
 *
 * <p>Threading: each call runs on the given executor, so a long {@code poll_events} never delays another call; the
 * SDK's own Reactor schedulers are not used for tool work.
 */
public final class ToolDispatcher {
  private final ObjectMapper mapper;
  private final ResultRenderer renderer;
  private final Scheduler scheduler;
  private volatile Consumer<McpAsyncServerExchange> onExchange = e -> {
  };

  /**
   * @param mapper protocol JSON mapper
   * @param renderer result renderer
   * @param executor runs the tool calls (one task per call; should allow many concurrent long polls)
   */
  public ToolDispatcher(ObjectMapper mapper, ResultRenderer renderer, ExecutorService executor) {
    this.mapper = mapper;
    this.renderer = renderer;
    this.scheduler = Schedulers.fromExecutorService(executor, "orch-tools");
  }

  /**
   * Sets who learns the MCP session of each tool call (the server's {@link ClientSession}, which needs it for logging
   * notifications and elicitation). Called on the tool thread before the call runs; must be quick.
   *
   * @param listener receives the exchange of every call
   */
  public void onExchange(Consumer<McpAsyncServerExchange> listener) {
    this.onExchange = listener;
  }

  /**
   * @param definitions the tool declarations
   * @param bindings the implementations, one per declaration (matched by name)
   * @return one SDK tool specification per definition, in definition order
   * @throws IllegalArgumentException when a definition has no binding or a binding no definition
   */
  public List<AsyncToolSpecification> specifications(List<ToolDefinition> definitions, List<ToolBinding> bindings) {
    Map<String, ToolBinding> byName = bindings.stream().collect(Collectors.toMap(ToolBinding::name, b -> b));
    if (!byName.keySet().equals(definitions.stream().map(ToolDefinition::name).collect(Collectors.toSet()))) {
      throw new IllegalArgumentException("tool definitions " + definitions.stream().map(ToolDefinition::name).toList()
          + " do not match bindings " + byName.keySet());
    }
    List<AsyncToolSpecification> out = new ArrayList<>();
    for (ToolDefinition def : definitions) {
      BiFunction<Map<String, Object>, ProgressReporter, CallToolResult> call = callWithProgress(def,
          byName.get(def.name()));
      McpSchema.Tool tool = McpSchema.Tool.builder(def.name(), toMap(def.inputSchema()))
          .description(def.description())
          .outputSchema(toMap(def.outputSchema()))
          .annotations(new ToolAnnotations(null, def.readOnly(), !def.readOnly() && def.name().equals("cancel_run"),
              def.readOnly(), !def.readOnly(), null))
          .build();
      out.add(new AsyncToolSpecification(tool, (exchange, request) -> Mono.fromCallable(() -> {
        onExchange.accept(exchange);
        return call.apply(request.arguments(), McpProgress.of(exchange, request.progressToken()));
      }).subscribeOn(scheduler)));
    }
    return out;
  }

  /**
   * @return the function that performs a call of this tool with raw arguments (null = none); never throws
   */
  public Function<Map<String, Object>, CallToolResult> callFunction(ToolDefinition def, ToolBinding binding) {
    BiFunction<Map<String, Object>, ProgressReporter, CallToolResult> call = callWithProgress(def, binding);
    return arguments -> call.apply(arguments, ProgressReporter.NONE);
  }

  /**
   * @return the function that performs a call of this tool with raw arguments (null = none) and the call's progress
   *     reporter; never throws
   */
  public BiFunction<Map<String, Object>, ProgressReporter, CallToolResult> callWithProgress(ToolDefinition def,
      ToolBinding binding) {
    ArgumentValidator validator = new ArgumentValidator(def.inputSchema());
    return (arguments, progress) -> {
      try {
        JsonNode raw = arguments == null ? mapper.createObjectNode() : mapper.valueToTree(arguments);
        ObjectNode node = raw.isObject() ? (ObjectNode) raw : mapper.createObjectNode();
        Args args = new Args(def, node, progress);
        Set<Violation> violations = new LinkedHashSet<>(validator.validate(node));
        violations.addAll(NameRules.check(node, ""));
        violations.addAll(binding.rules().apply(args));
        if (!violations.isEmpty()) {
          return renderer.error(Violation.describe(def.name(), List.copyOf(violations)));
        }
        ObjectNode payload = binding.action().apply(args);
        if (!renderer.fits(payload)) {
          return renderer.error("Error: the result of " + def.name() + " is too large (" + renderer.wireBytes(payload)
              + " bytes); narrow the request with filters or a smaller limit");
        }
        return renderer.success(payload);
      } catch (RuntimeException | Error e) {
        if (e instanceof VirtualMachineError vme) {
          throw vme;
        }
        return renderer.error(ToolErrors.text(def.name(), e));
      }
    };
  }

  private Map<String, Object> toMap(ObjectNode schema) {
    return mapper.convertValue(schema, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {
    });
  }
}
