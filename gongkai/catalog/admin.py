"""The catalog in the Django admin, in Chinese, for staff.

Saving goes through the catalog services: the document number is normalised
(the text as typed is kept beside it), the body is sanitised, publication
hands out the index number, and withdrawal keeps it.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction

from gongkai.core import audit, docnumber

from . import services
from .models import Attachment, Document, Genre, Relation, Topic, remove_file_after_commit


class TopicLevelFilter(admin.SimpleListFilter):
    title = "层级"
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return [("1", "一级分类"), ("2", "二级分类")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(parent__isnull=True)
        if self.value() == "2":
            return queryset.filter(parent__isnull=False)
        return queryset


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "sort_order")
    list_filter = (TopicLevelFilter,)
    search_fields = ("name", "parent__name")
    list_select_related = ("parent",)
    ordering = ("parent__sort_order", "parent_id", "sort_order", "id")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = Topic.objects.filter(parent__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Genre)
class GenreAdmin(admin.ModelAdmin):
    list_display = ("name", "sort_order")
    list_editable = ("sort_order",)
    search_fields = ("name",)


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ("file", "name", "sort_order", "size", "content_type", "text_status")
    readonly_fields = ("size", "content_type", "text_status")


class RelationInline(admin.TabularInline):
    model = Relation
    fk_name = "source"
    extra = 0
    fields = ("kind", "target", "target_title", "target_document_number")
    autocomplete_fields = ("target",)
    verbose_name = "本文件与其他文件的关系"
    verbose_name_plural = "文件关系（本文件引用、解读、修订、废止或转发的文件）"


class DocumentAdminForm(forms.ModelForm):
    class Meta:
        model = Document
        fields = (
            "organisation", "title", "document_number", "topic", "genre", "keywords",
            "written_date", "published_date", "validity", "effective_date", "expiry_date",
            "disclosure", "disclosure_ground", "summary", "body", "source_url",
        )
        help_texts = {
            "document_number": "按实际填写即可，如“川府发[2024]3号”；保存时按 GB/T 9704 规范为“川府发〔2024〕3号”，原文另行保留。",
            "body": "可粘贴HTML；保存时自动清除脚本、样式和不安全的链接。",
            "published_date": "留空则在发布时取当天日期。",
        }

    def _post_clean(self):
        super()._post_clean()
        doc = self.instance
        if "document_number" in self.cleaned_data:
            services.apply_document_number(doc, self.cleaned_data["document_number"])
        if "body" in self.cleaned_data:
            services.set_body(doc, body_html=self.cleaned_data["body"])
        if doc.organisation_id:
            try:
                services.check_duplicate_number(doc)
            except ValidationError as exc:
                self._update_errors(exc)


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    form = DocumentAdminForm
    list_display = ("title", "document_number", "index_number", "organisation", "published_date", "status", "validity")
    list_display_links = ("title",)
    list_filter = ("status", "disclosure", "validity", "genre", "organisation", "published_date", "document_number_status")
    search_fields = ("title", "document_number", "document_number_raw", "index_number")
    list_select_related = ("organisation",)
    list_per_page = 50
    show_full_result_count = False
    autocomplete_fields = ("organisation",)
    readonly_fields = (
        "index_number", "status", "withdrawn_at", "document_number_raw", "document_number_status",
        "created_at", "updated_at", "public_link",
    )
    fieldsets = (
        (None, {"fields": ("organisation", "title", "document_number", "document_number_raw", "document_number_status")}),
        ("发布状态", {"fields": ("status", "index_number", "withdrawn_at", "public_link")}),
        ("分类", {"fields": ("topic", "genre", "keywords")}),
        ("日期与有效性", {"fields": ("written_date", "published_date", "validity", "effective_date", "expiry_date")}),
        ("公开属性", {"fields": ("disclosure", "disclosure_ground")}),
        ("内容", {"fields": ("summary", "body")}),
        ("来源", {"fields": ("source_url", "created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = (AttachmentInline, RelationInline)
    actions = ("publish_selected", "withdraw_selected")

    @admin.display(description="公开页面")
    def public_link(self, obj):
        from django.utils.html import format_html

        if obj.pk and (obj.is_public or obj.status == Document.Status.WITHDRAWN):
            url = obj.get_absolute_url()
            return format_html('<a href="{}">{}</a>', url, url)
        return "—（发布后生成）"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "topic":
            # str(topic) names its parent: load them in the same query.
            kwargs["queryset"] = Topic.objects.select_related("parent").order_by(
                "parent__sort_order", "parent_id", "sort_order", "id"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        number, body = data.get("document_number", ""), data.get("body", "")
        if change:
            services.update_document(obj, document_number=number, body_html=body, actor=request.user)
        else:
            fields = {
                name: value
                for name, value in data.items()
                if name not in ("organisation", "title", "document_number", "body")
            }
            doc = services.create_document(
                organisation=data["organisation"], title=data["title"], document_number=number, body_html=body,
                actor=request.user, **fields
            )
            # The admin goes on with `obj` (inlines, log entry, redirect).
            obj.pk = doc.pk
            obj._state.adding = False
            obj.refresh_from_db()
        services.link_relations(obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is Attachment:
            return self._save_attachments(request, form.instance, formset)
        if formset.model is not Relation:
            return super().save_formset(request, form, formset, change)
        relations = formset.save(commit=False)
        for relation in formset.deleted_objects:
            relation.delete()
        for relation in relations:
            if relation.target_document_number:
                relation.target_document_number = docnumber.parse(relation.target_document_number).text
            if relation.target is None and relation.target_document_number:
                relation.target = services.find_by_number(relation.target_document_number, exclude=form.instance)
            if relation.target is not None and not relation.target_title:
                relation.target_title = relation.target.title[:300]
            relation.save()
        formset.save_m2m()

    def _save_attachments(self, request, doc, formset):
        """Each attachment added, changed or removed here is audited as the
        workspace's are (publishing.services.add_attachment): the entry holds
        what the public now sees of the document, so `gongkai audit verify`
        does not take a change made here for one made outside the
        application. A removed or replaced file goes once this commits."""
        actor = audit.actor_name(request.user)
        saved = formset.save(commit=False)
        for attachment in formset.deleted_objects:
            before, pk = audit.state_of(attachment), attachment.pk
            attachment.delete()
            audit.record("attachment.remove", "document", doc.pk, actor=actor, before=before,
                         detail={"name": attachment.name, "attachment": pk})
        for attachment in saved:
            old = Attachment.objects.filter(pk=attachment.pk).first() if attachment.pk else None
            attachment.save()
            detail = {"name": attachment.name, "size": attachment.size, "attachment": attachment.pk}
            if old is None:
                audit.record("attachment.add", "document", doc.pk, actor=actor, after=audit.state_of(attachment),
                             detail=detail)
                continue
            if old.file.name != attachment.file.name:
                remove_file_after_commit(old.file)
            audit.record("attachment.change", "document", doc.pk, actor=actor, before=audit.state_of(old),
                         after=audit.state_of(attachment), detail=detail)
        formset.save_m2m()

    def delete_model(self, request, obj):
        services.delete_document(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for doc in queryset:
            services.delete_document(doc, actor=request.user)

    def has_publish_permission(self, request):
        # Publication goes through the review workflow in the workspace. Only
        # the system administrator may publish here, to enter documents that
        # were already published elsewhere (audited under their name).
        return request.user.is_superuser

    @admin.action(description="直接发布所选政府信息（不经审核，仅系统管理员补录已发布文件）", permissions=["publish"])
    def publish_selected(self, request, queryset):
        done, skipped, failed = 0, 0, []
        for doc in queryset:
            if doc.status == Document.Status.PUBLISHED:
                skipped += 1
                continue
            try:
                with transaction.atomic():
                    services.publish_document(doc, actor=request.user)
                done += 1
            except ValidationError as exc:
                failed.append(f"“{doc.title}”：{'；'.join(exc.messages)}")
        if done:
            self.message_user(request, f"已发布 {done} 条政府信息。", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"{skipped} 条已是发布状态，未作改动。", messages.INFO)
        for line in failed:
            self.message_user(request, f"未能发布{line}", messages.ERROR)

    @admin.action(description="撤回所选政府信息（保留索引号和撤回说明页）", permissions=["change"])
    def withdraw_selected(self, request, queryset):
        done, skipped = 0, 0
        for doc in queryset:
            if doc.status != Document.Status.PUBLISHED:
                skipped += 1
                continue
            services.withdraw_document(doc, actor=request.user, reason="后台撤回")
            done += 1
        if done:
            self.message_user(request, f"已撤回 {done} 条政府信息，其页面将显示撤回说明，并已移出检索和目录。", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"{skipped} 条不是已发布状态，无法撤回。", messages.WARNING)
