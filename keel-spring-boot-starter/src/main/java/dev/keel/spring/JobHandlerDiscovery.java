package dev.keel.spring;

import dev.keel.queue.JobContext;
import dev.keel.queue.JobHandler;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobType;
import dev.keel.queue.KeelException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;

/**
 * Finds the job types an application declares as beans: {@link JobType} beans as they are, {@link
 * JobHandler} beans whose class carries {@link KeelJob}, and bean methods annotated with {@link
 * KeelJob}. Handler beans are looked up when their first job runs, not when Keel is built, so a
 * handler may itself depend on the {@code JobClient} or {@code Keel} bean.
 */
final class JobHandlerDiscovery {
  private final ListableBeanFactory beans;

  JobHandlerDiscovery(ListableBeanFactory beans) {
    this.beans = beans;
  }

  /** Every declared type, by name; a name declared twice is an error naming both places. */
  List<JobType<?>> discover() {
    Map<String, JobType<?>> types = new LinkedHashMap<>();
    Map<String, String> where = new LinkedHashMap<>();
    for (Map.Entry<String, JobType> e : beans.getBeansOfType(JobType.class).entrySet()) {
      add(types, where, e.getValue(), "bean '" + e.getKey() + "'");
    }
    for (String name : beans.getBeanNamesForType(Object.class, false, false)) {
      Class<?> type = beans.getType(name, false);
      if (type == null) {
        continue;
      }
      Class<?> userType = ClassUtils.getUserClass(type);
      KeelJob onClass = AnnotatedElementUtils.findMergedAnnotation(userType, KeelJob.class);
      if (onClass != null) {
        add(types, where, handlerBean(name, userType, onClass), "bean '" + name + "'");
      }
      Map<Method, KeelJob> methods =
          MethodIntrospector.selectMethods(
              userType,
              (MethodIntrospector.MetadataLookup<KeelJob>)
                  m -> AnnotatedElementUtils.findMergedAnnotation(m, KeelJob.class));
      for (Map.Entry<Method, KeelJob> m : methods.entrySet()) {
        add(
            types,
            where,
            handlerMethod(name, userType, m.getKey(), m.getValue()),
            userType.getName() + "." + m.getKey().getName() + " (bean '" + name + "')");
      }
    }
    return new ArrayList<>(types.values());
  }

  private static void add(
      Map<String, JobType<?>> types, Map<String, String> where, JobType<?> t, String source) {
    String previous = where.putIfAbsent(t.name(), source);
    if (previous != null) {
      throw new BeanCreationException(
          "Job type '"
              + t.name()
              + "' has two handlers: "
              + previous
              + " and "
              + source
              + ". Give one of them another type name.");
    }
    types.put(t.name(), t);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private JobType<?> handlerBean(String beanName, Class<?> beanType, KeelJob annotation) {
    if (!JobHandler.class.isAssignableFrom(beanType)) {
      throw new BeanCreationException(
          beanName,
          "@KeelJob(\""
              + annotation.value()
              + "\") on class "
              + beanType.getName()
              + " needs the class to implement JobHandler<Payload>; on a method, it marks that method");
    }
    Class<?> payload = ResolvableType.forClass(beanType).as(JobHandler.class).resolveGeneric(0);
    if (payload == null) {
      throw new BeanCreationException(
          beanName,
          beanType.getName()
              + " implements JobHandler without a payload type argument; declare it as"
              + " JobHandler<YourPayload> so Keel knows what to read");
    }
    Supplier<JobHandler> bean = lazyBean(beanName, JobHandler.class);
    JobHandler<Object> handler = ctx -> bean.get().handle(ctx);
    return configured(
        () -> JobType.of(annotation.value(), (Class<Object>) payload, handler),
        annotation,
        beanType.getName());
  }

  @SuppressWarnings("unchecked")
  private JobType<?> handlerMethod(
      String beanName, Class<?> beanType, Method method, KeelJob annotation) {
    String where = beanType.getName() + "." + method.getName();
    Class<?>[] params = method.getParameterTypes();
    Class<?> payload;
    boolean payloadFirst;
    boolean withContext;
    if (params.length == 1 && params[0] == JobContext.class) {
      payload = ResolvableType.forMethodParameter(method, 0).resolveGeneric(0);
      payloadFirst = false;
      withContext = true;
      if (payload == null) {
        throw new BeanCreationException(
            beanName,
            "@KeelJob method "
                + where
                + " takes a raw JobContext; declare JobContext<YourPayload> so Keel knows what to read");
      }
    } else if (params.length == 1) {
      payload = params[0];
      payloadFirst = true;
      withContext = false;
    } else if (params.length == 2 && params[1] == JobContext.class) {
      payload = params[0];
      payloadFirst = true;
      withContext = true;
    } else {
      throw new BeanCreationException(
          beanName,
          "@KeelJob method "
              + where
              + " must take (Payload), (Payload, JobContext<Payload>) or (JobContext<Payload>)");
    }
    Class<?> returns = method.getReturnType();
    if (returns != void.class && !JobOutcome.class.isAssignableFrom(returns)) {
      throw new BeanCreationException(
          beanName,
          "@KeelJob method " + where + " must return void or JobOutcome, not " + returns.getName());
    }
    if (Modifier.isStatic(method.getModifiers())) {
      throw new BeanCreationException(beanName, "@KeelJob method " + where + " must not be static");
    }
    Supplier<Object> bean = lazyBean(beanName, Object.class);
    JobHandler<Object> handler =
        ctx -> {
          Object target = bean.get();
          Method invocable = AopUtils.selectInvocableMethod(method, target.getClass());
          Object[] args =
              payloadFirst
                  ? (withContext ? new Object[] {ctx.payload(), ctx} : new Object[] {ctx.payload()})
                  : new Object[] {ctx};
          Object result;
          try {
            invocable.setAccessible(true);
            result = invocable.invoke(target, args);
          } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
              throw ex;
            }
            if (cause instanceof Error err) {
              throw err;
            }
            throw e;
          }
          return result == null ? JobOutcome.success() : (JobOutcome) result;
        };
    return configured(
        () -> JobType.of(annotation.value(), (Class<Object>) payload, handler), annotation, where);
  }

  private <B> Supplier<B> lazyBean(String beanName, Class<B> type) {
    return new Supplier<>() {
      private volatile B instance;

      @Override
      public B get() {
        B b = instance;
        if (b == null) {
          b = beans.getBean(beanName, type);
          instance = b;
        }
        return b;
      }
    };
  }

  private static JobType<?> configured(
      Supplier<JobType<?>> type, KeelJob annotation, String where) {
    try {
      JobType<?> t = type.get();
      if (annotation.maxAttempts() != 0) {
        t = t.withMaxAttempts(annotation.maxAttempts());
      }
      if (!annotation.timeout().isEmpty()) {
        t = t.withTimeout(Duration.parse(annotation.timeout()));
      }
      return t;
    } catch (KeelException | DateTimeParseException e) {
      throw new BeanCreationException(
          "@KeelJob(\"" + annotation.value() + "\") on " + where + ": " + e.getMessage(), e);
    }
  }
}
