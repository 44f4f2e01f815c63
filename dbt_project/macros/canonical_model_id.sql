{#-
    Canonical model id from any source's model reference, with the raw id kept elsewhere:
      gpt-4.1-mini-2025-04-14                         -> gpt-4.1-mini      (dated snapshot)
      claude-sonnet-4-5-20250929                      -> claude-sonnet-4-5 (dated snapshot)
      us.anthropic.claude-sonnet-4-5-20250929-v1:0    -> claude-sonnet-4-5 (Bedrock inference profile)
      arn:aws:bedrock:...:inference-profile/eu.meta.llama3-70b-instruct-v1:0 -> llama3-70b-instruct
      publishers/google/models/gemini-2.5-pro@001     -> gemini-2.5-pro    (Vertex)
    Providers whose raw ids are names of something else (Azure deployments, Vertex SKUs) map them to
    a model reference in their own normalized model first.
-#}
{% macro canonical_model_id(column) -%}
    {%- set steps = [
        ('^.*/', ''),
        ('^(us|eu|apac|global|jp|au)\\.', ''),
        ('^(anthropic|amazon|meta|mistral|cohere|ai21|openai|google|deepseek|qwen|writer)\\.', ''),
        ('@.*$', ''),
        ('-v[0-9]+(:[0-9]+)?$', ''),
        (':[0-9]+$', ''),
        ('-[0-9]{4}-[0-9]{2}-[0-9]{2}$', ''),
        ('-[0-9]{8}$', ''),
    ] -%}
    {%- set expression = namespace(sql="lower(trim(" ~ column ~ "))") -%}
    {%- for pattern, replacement in steps -%}
        {%- set expression.sql = regexp_replace_all(expression.sql, pattern, replacement) -%}
    {%- endfor -%}
    {{ expression.sql }}
{%- endmacro %}
